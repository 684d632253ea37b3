// The DPO's consent log: newest first, a page at a time through the store (older pages by a
// cursor), CallSid by prefix in any case, Czech numbers, a clear message for a reversed range,
// downloads as CSV (optionally for Czech Excel) or JSON lines.
import { api, type ConsentRow, type ConsentSearch } from './api.js';
import { czDateTime, h } from './dom.js';
import { czNumber, errorText, plural, t } from './messages.js';

function row(r: ConsentRow): HTMLElement {
  return h(
    'tr',
    {},
    h('td', { 'data-label': 'Kdy' }, czDateTime(r.at)),
    h('td', { 'data-label': 'CallSid' }, h('code', {}, r.callSid)),
    h('td', { 'data-label': 'Volající' }, r.caller),
    h('td', { 'data-label': 'Rozhodnutí' }, r.decision === 'granted' ? 'udělen' : 'odmítnut'),
    h('td', { 'data-label': 'Fronta' }, r.route),
    h('td', { 'data-label': 'Jazyk' }, r.language === 'cs' ? 'čeština' : r.language === 'en' ? 'angličtina' : r.language),
    h(
      'td',
      { 'data-label': 'Upozornění' },
      h(
        'a',
        { href: `#notices/${r.noticeVersion}`, title: `Znění upozornění (SHA-256 ${r.noticeSha256})` },
        h('code', {}, `${r.noticeId} v${r.noticeVersion}`),
      ),
    ),
  );
}

export async function consentsPage(): Promise<HTMLElement> {
  const callSid = h('input', {
    id: 'c-callsid',
    name: 'callSid',
    placeholder: 'CA…',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'c-callsid-hint',
  });
  const from = h('input', { id: 'c-from', name: 'from', type: 'date' });
  const to = h('input', { id: 'c-to', name: 'to', type: 'date' });
  const decision = h(
    'select',
    { id: 'c-decision', name: 'decision' },
    h('option', { value: '' }, 'vše'),
    h('option', { value: 'granted' }, 'udělen'),
    h('option', { value: 'declined' }, 'odmítnut'),
  );
  const excel = h('input', { id: 'c-excel', type: 'checkbox', checked: true });
  const csv = h('a', { id: 'c-csv', class: 'button', download: '' }, 'Stáhnout CSV');
  const jsonl = h('a', { id: 'c-jsonl', class: 'button', download: '' }, 'Stáhnout JSONL');
  const summary = h('p', { id: 'c-summary', role: 'status' });
  const tbody = h('tbody', {});
  const error = h('p', { class: 'error', role: 'alert', id: 'c-error' });
  const more = h('button', { type: 'button', id: 'c-more', class: 'secondary', hidden: true }, 'Načíst starší záznamy');
  let shown = 0;
  let next: string | null = null;

  const query = () => {
    const q = new URLSearchParams();
    if (callSid.value.trim()) q.set('callSid', callSid.value.trim());
    if (from.value) q.set('from', from.value);
    if (to.value) q.set('to', to.value);
    if (decision.value) q.set('decision', decision.value);
    return q;
  };
  const updateLinks = () => {
    const q = query();
    q.set('format', 'csv');
    if (excel.checked) q.set('excel', '1');
    csv.href = `api/consents?${q}`;
    q.delete('excel');
    q.set('format', 'jsonl');
    jsonl.href = `api/consents?${q}`;
  };
  const load = async (fresh: boolean) => {
    error.textContent = '';
    updateLinks();
    if (fresh && from.value && to.value && from.value > to.value) {
      error.textContent = t('consents.range');
      return;
    }
    const q = query();
    if (!fresh && next) q.set('cursor', next);
    try {
      const res = await api<ConsentSearch>('GET', `consents?${q}`);
      if (fresh) {
        tbody.replaceChildren();
        shown = 0;
      }
      tbody.append(...res.rows.map(row));
      shown += res.rows.length;
      next = res.next;
      more.hidden = next === null;
      const n = czNumber(shown);
      summary.textContent =
        shown === 0
          ? 'Nic nenalezeno.'
          : `Zobrazeno ${n} ${plural(shown, 'záznam', 'záznamy', 'záznamů')}, nejnovější první${next ? '; starší načtete tlačítkem pod tabulkou nebo stáhněte soubor.' : ' — to jsou všechny.'}`;
    } catch (err) {
      error.textContent = `Hledání selhalo: ${errorText(err)}`;
    }
  };
  more.addEventListener('click', () => void load(false));
  const form = h(
    'form',
    { class: 'row', id: 'consent-search', 'aria-label': 'Hledat v záznamech souhlasů' },
    h(
      'div',
      {},
      h('label', { for: 'c-callsid' }, 'CallSid (začátek)'),
      callSid,
      h('small', { id: 'c-callsid-hint', class: 'hint' }, 'Stačí začátek, velikost písmen nerozhoduje.'),
    ),
    h('div', {}, h('label', { for: 'c-from' }, 'Od (den)'), from),
    h('div', {}, h('label', { for: 'c-to' }, 'Do (den, včetně)'), to),
    h('div', {}, h('label', { for: 'c-decision' }, 'Rozhodnutí'), decision),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'c-search' }, 'Hledat')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load(true);
  });
  form.addEventListener('input', updateLinks);
  excel.addEventListener('change', updateLinks);
  updateLinks();
  await load(true);
  return h(
    'section',
    { 'aria-labelledby': 'consents-title' },
    h('h1', { id: 'consents-title', tabindex: -1 }, 'Záznamy souhlasů'),
    h(
      'p',
      { class: 'intro' },
      'Kdo (CallSid, maskované číslo), kdy (v pražském čase), jaký text upozornění, jaké rozhodnutí a kam hovor šel. Celé číslo volajícího se nikde nezobrazuje ani neexportuje. Každé hledání a export se zapisuje do auditního záznamu.',
    ),
    form,
    h(
      'div',
      { class: 'downloads' },
      csv,
      jsonl,
      h('label', { class: 'check', for: 'c-excel' }, excel, ' CSV pro český Excel (středníky, pražský čas)'),
    ),
    summary,
    error,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'consents' },
        h('caption', { class: 'visually-hidden' }, 'Nalezené souhlasy, nejnovější první'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Kdy', 'CallSid', 'Volající', 'Rozhodnutí', 'Fronta', 'Jazyk', 'Upozornění'].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        tbody,
      ),
    ),
    more,
  );
}
