// Console page: open callback requests (issue 14), oldest first, with a cancel button each.
import { api, type CallbackCancelled, type CallbacksInfo } from './api.js';
import { announce, czDateTime, h } from './dom.js';

export async function callbacksPage(): Promise<HTMLElement> {
  const info = await api<CallbacksInfo>('GET', 'callbacks');
  const message = h('p', { id: 'callbacks-message', role: 'status' });
  const section = h(
    'section',
    { 'aria-labelledby': 'callbacks-title' },
    h('h1', { id: 'callbacks-title', tabindex: -1 }, 'Zpětná volání'),
    h(
      'p',
      { class: 'intro' },
      'Volající, kteří si na lince řekli o zpětné zavolání. Voláme jen v provozní době rozvrhu callbacks, nejstarší nejdřív.',
    ),
    message,
  );
  if (info.rows.length === 0) {
    section.append(h('p', { id: 'callbacks-empty' }, 'Žádné čekající žádosti.'));
    return section;
  }
  const body = h('tbody');
  for (const r of info.rows) {
    const cancel = h('button', { type: 'button', id: `cancel-${r.id}` }, 'Zrušit');
    cancel.addEventListener('click', () => {
      void (async () => {
        try {
          await api<CallbackCancelled>('DELETE', `callbacks/${encodeURIComponent(r.id)}`);
          announce(`Žádost ${r.id} je zrušena.`);
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } catch (err) {
          message.textContent = `Nepodařilo se: ${(err as Error).message}`;
          message.className = 'error';
        }
      })();
    });
    body.append(
      h(
        'tr',
        { id: `callback-${r.id}` },
        h('td', {}, czDateTime(r.requestedAt)),
        h('td', {}, r.queue),
        h('td', {}, r.number),
        h('td', {}, r.calling ? 'právě voláme' : 'čeká'),
        h('td', {}, String(r.attempts)),
        h('td', {}, r.nextAttemptAt && !r.calling ? czDateTime(r.nextAttemptAt) : '—'),
        h('td', {}, cancel),
      ),
    );
  }
  section.append(
    h(
      'table',
      { id: 'callbacks-table' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Požádal(a)', 'Fronta', 'Číslo', 'Stav', 'Pokusy', 'Další pokus', ''].map((t) => h('th', { scope: 'col' }, t))),
      ),
      body,
    ),
  );
  return section;
}
