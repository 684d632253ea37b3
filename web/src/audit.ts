// The audit view for supervisors: the newest console actions (sign-ins, closures, consent
// searches and exports), newest first, from the console's audit log.
import { api, type AuditInfo } from './api.js';
import { czDateTime, h } from './dom.js';

const ACTIONS: Record<string, string> = {
  login: 'přihlášení',
  logout: 'odhlášení',
  'closure.set': 'mimořádné uzavření',
  'closure.clear': 'znovuotevření',
  'consents.search': 'hledání v souhlasech',
  'consents.export': 'export souhlasů',
  'consents.read': 'pokus o čtení souhlasů',
};
const RESULTS: Record<string, string> = {
  ok: 'provedeno',
  denied: 'zamítnuto (role)',
  failed: 'neúspěšné',
  'rate-limited': 'zablokováno (příliš mnoho pokusů)',
};

export async function auditPage(): Promise<HTMLElement> {
  const { entries } = await api<AuditInfo>('GET', 'audit?limit=200');
  return h(
    'section',
    { 'aria-labelledby': 'audit-title' },
    h('h1', { id: 'audit-title', tabindex: -1 }, 'Auditní záznam'),
    h('p', { class: 'intro' }, 'Posledních 200 akcí v konzoli, nejnovější první: kdo, kdy, co a s jakým výsledkem.'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'consents', id: 'audit-table' },
        h('caption', { class: 'visually-hidden' }, 'Akce v konzoli'),
        h('thead', {}, h('tr', {}, ...['Kdy', 'Kdo', 'Akce', 'Cíl', 'Výsledek'].map((x) => h('th', { scope: 'col' }, x)))),
        h(
          'tbody',
          {},
          entries.map((e) =>
            h(
              'tr',
              {},
              h('td', { 'data-label': 'Kdy' }, czDateTime(e.at)),
              h('td', { 'data-label': 'Kdo' }, e.who),
              h('td', { 'data-label': 'Akce' }, ACTIONS[e.action] ?? e.action),
              h('td', { 'data-label': 'Cíl' }, e.target === 'line' ? 'celá linka' : (e.target ?? '—')),
              h('td', { 'data-label': 'Výsledek' }, RESULTS[e.result] ?? e.result),
            ),
          ),
        ),
      ),
    ),
  );
}
