// The console's pages. Each returns its section; data comes from /console/api.
import {
  api,
  ApiError,
  type ClosedReason,
  type ClosuresInfo,
  type ConsentSearch,
  type FlowInfo,
  type HeardItem,
  type HoursInfo,
  type SimResult,
  type User,
} from './api.js';
import { announce, czDateTime, czDay, h, pragueNow, WEEKDAY_CS } from './dom.js';

interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
}

declare global {
  interface Window {
    mermaid?: MermaidApi;
  }
}

function heading(title: string, intro?: string): HTMLElement[] {
  const out: HTMLElement[] = [h('h1', { tabindex: -1 }, title)];
  if (intro) out.push(h('p', { class: 'intro' }, intro));
  return out;
}

function errorBox(message: string): HTMLElement {
  return h('p', { class: 'error', role: 'alert' }, message);
}

// --- Flow ---------------------------------------------------------------------------------------

let mermaidReady = false;
let graphCount = 0;

export async function flowPage(): Promise<HTMLElement> {
  const flow = await api<FlowInfo>('GET', 'flow');
  const diagram = h('div', { class: 'diagram', id: 'flow-diagram', role: 'img', 'aria-label': 'Diagram toku hovoru: každá klávesa menu vede k další části toku' });
  const source = h('pre', { class: 'source' }, flow.mermaid ?? '');
  const section = h(
    'section',
    { 'aria-labelledby': 'flow-title' },
    h('h1', { id: 'flow-title', tabindex: -1 }, 'Tok hovoru'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Verze konfigurace'),
      h('dd', {}, h('code', { id: 'flow-version' }, flow.version ?? '—')),
      h('dt', {}, 'Načteno'),
      h('dd', { id: 'flow-loaded' }, flow.loadedAt ? czDateTime(flow.loadedAt) : '—'),
      h('dt', {}, 'Jazyky'),
      h('dd', {}, flow.languages.join(', ') || '—'),
    ),
    flow.refused
      ? h(
          'div',
          { class: 'warning', role: 'alert', id: 'flow-refused' },
          h('h2', {}, 'Poslední úprava byla odmítnuta — linka dál běží na předchozí verzi'),
          h('ul', {}, flow.refused.map((i) => h('li', {}, h('code', {}, i.text)))),
        )
      : h('p', { class: 'ok', id: 'flow-refused' }, 'Poslední úprava konfigurace byla přijata.'),
    diagram,
    h('details', {}, h('summary', {}, 'Zdroj diagramu (Mermaid, totéž co vypíše „infoline graph“)'), source),
  );
  const mermaid = window.mermaid;
  if (!flow.mermaid) diagram.append('Konfigurace není načtena.');
  else if (!mermaid) diagram.append(errorBox('Knihovna Mermaid se nenačetla; zdroj diagramu je níže.'));
  else {
    if (!mermaidReady) {
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', flowchart: { htmlLabels: false } });
      mermaidReady = true;
    }
    try {
      // Mermaid measures text in the document: render while attached, then move it in place.
      const { svg } = await mermaid.render(`flowgraph${++graphCount}`, flow.mermaid);
      diagram.innerHTML = svg; // Mermaid's own output, sanitised by it (securityLevel strict)
      diagram.dataset.rendered = 'true';
    } catch (err) {
      diagram.append(errorBox(`Diagram se nepodařilo vykreslit: ${(err as Error).message}`));
    }
  }
  return section;
}

// --- Simulator ----------------------------------------------------------------------------------

const KEYPAD: { key: string; label: string; aria: string }[] = [
  ...['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((k) => ({ key: k, label: k, aria: `klávesa ${k}` })),
  { key: '*', label: '*', aria: 'hvězdička (zopakovat)' },
  { key: '0', label: '0', aria: 'klávesa 0' },
  { key: 'silence', label: 'bez volby', aria: 'bez volby (volající nic nestiskne)' },
];

function heardText(item: HeardItem): string {
  if (item.kind === 'say') return item.text;
  if (item.kind === 'play') return `♪ nahrávka ${item.url}`;
  return `(pauza ${item.seconds} s)`;
}

function inputLabel(input: string | null, i: number): string {
  if (i === 0) return 'Začátek hovoru';
  if (input === 'silence') return 'Volající nic nestiskl';
  return `Volající stiskl ${input ?? ''}`;
}

export async function simulatorPage(): Promise<HTMLElement> {
  const flow = await api<FlowInfo>('GET', 'flow');
  const [today, time] = pragueNow();
  const date = h('input', { id: 'sim-date', type: 'date', value: today, required: true });
  const clock = h('input', { id: 'sim-time', type: 'time', value: time, required: true });
  const lang = h('select', { id: 'sim-lang' }, (flow.languages.length ? flow.languages : ['cs']).map((l) => h('option', { value: l }, l === 'cs' ? 'čeština' : l === 'en' ? 'angličtina' : l)));
  const pressed = h('p', { id: 'sim-pressed', class: 'pressed' });
  const transcript = h('ol', { id: 'sim-transcript', class: 'transcript', 'aria-live': 'polite' });
  const end = h('p', { id: 'sim-end', class: 'end' });
  const error = h('p', { class: 'error', role: 'alert', id: 'sim-error' });
  let inputs: string[] = [];
  let ended = false;
  // Runs one after another: a key pressed while the previous answer is still coming applies
  // to the call as it will be then (never lost, never applied twice).
  let queue: Promise<void> = Promise.resolve();
  const run = (next: (current: string[]) => string[] | null, untilEnd: boolean) => {
    queue = queue.then(() => {
      const wanted = next(inputs);
      return wanted === null ? undefined : play(wanted, untilEnd);
    });
    return queue;
  };

  const keypad = h('div', { class: 'keypad', role: 'group', 'aria-label': 'Klávesnice telefonu' });
  const buttons = KEYPAD.map((k) => {
    const b = h('button', { type: 'button', 'data-key': k.key, 'aria-label': k.aria, class: k.key === 'silence' ? 'wide' : undefined }, k.label);
    b.addEventListener('click', () => void run((current) => (ended ? null : [...current, k.key]), false));
    keypad.append(b);
    return b;
  });
  const toEnd = h('button', { type: 'button', id: 'sim-to-end' }, 'Dál už nic nestisknout (do konce hovoru)');
  toEnd.addEventListener('click', () => void run((current) => (ended ? null : current), true));
  const restart = h('button', { type: 'button', id: 'sim-restart', class: 'secondary' }, 'Nový hovor');
  restart.addEventListener('click', () => void run(() => [], false));

  async function play(next: string[], untilEnd: boolean): Promise<void> {
    error.textContent = '';
    try {
      const result = await api<SimResult>('POST', 'simulate', { at: `${date.value}T${clock.value}`, language: lang.value, inputs: next, untilEnd });
      inputs = next.slice(0, next.length - result.unused);
      ended = !result.waiting;
      pressed.textContent = inputs.length ? `Stisknuto: ${inputs.map((k) => (k === 'silence' ? '(nic)' : k)).join(' → ')}` : 'Zatím nic nestisknuto.';
      transcript.replaceChildren(
        ...result.call.steps.map((step, i) =>
          h(
            'li',
            { class: 'step' },
            h('h3', {}, `Krok ${i + 1}: ${inputLabel(step.input, i)}`),
            h('ul', {}, step.heard.map((item) => h('li', { class: item.kind === 'say' && item.inGather ? 'say gather' : 'say' }, heardText(item)))),
          ),
        ),
      );
      const consents = result.call.consents.map((c) => `souhlas (jen simulace, neuloženo): ${c.decision === 'granted' ? 'udělen' : 'odmítnut'}, trasa ${c.route}`);
      end.textContent = result.waiting ? 'Hovor čeká na volbu — stiskněte klávesu.' : `Konec hovoru: ${result.endText ?? ''}`;
      if (consents.length) end.append(h('br'), consents.join('; '));
      end.className = result.waiting ? 'end waiting' : 'end done';
      for (const b of buttons) b.disabled = ended;
      toEnd.disabled = ended;
      announce(result.waiting ? 'Hovor čeká na volbu.' : 'Hovor skončil.');
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : `Simulace selhala: ${(err as Error).message}`;
    }
  }

  const settings = h(
    'form',
    { class: 'row', 'aria-label': 'Kdy a v jakém jazyce hovor probíhá' },
    h('div', {}, h('label', { for: 'sim-date' }, 'Datum'), date),
    h('div', {}, h('label', { for: 'sim-time' }, 'Čas (Praha)'), clock),
    h('div', {}, h('label', { for: 'sim-lang' }, 'Jazyk'), lang),
    h('div', { class: 'actions' }, restart),
  );
  settings.addEventListener('submit', (ev) => ev.preventDefault());
  for (const field of [date, clock, lang]) field.addEventListener('change', () => void run(() => [], false));

  const section = h(
    'section',
    { 'aria-labelledby': 'sim-title', class: 'simulator' },
    h('h1', { id: 'sim-title', tabindex: -1 }, 'Simulátor hovoru'),
    h('p', { class: 'intro' }, 'Přehraje hovor přes skutečné webhooky linky (stejně jako „infoline simulate“) v zadaný okamžik, s aktuální konfigurací a mimořádnými uzavřeními. Souhlasy se neukládají.'),
    settings,
    h('div', { class: 'sim-grid' }, h('div', {}, keypad, toEnd, pressed), h('div', {}, h('h2', {}, 'Co volající slyší'), transcript, end, error)),
  );
  void run(() => [], false);
  return section;
}

// --- Hours --------------------------------------------------------------------------------------

function reasonText(reason: ClosedReason | undefined): string {
  if (!reason) return '';
  switch (reason.kind) {
    case 'holiday':
      return `svátek: ${reason.name}`;
    case 'closure':
      return `uzavřeno: ${reason.reason}`;
    case 'emergency':
      return `mimořádně uzavřeno do ${czDateTime(reason.until)}: ${reason.reason}`;
    case 'outside-hours':
      return 'mimo provozní dobu';
  }
}

export async function hoursPage(): Promise<HTMLElement> {
  const info = await api<HoursInfo>('GET', 'hours?days=14');
  const order = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  return h(
    'section',
    { 'aria-labelledby': 'hours-title' },
    ...heading('Provozní doba — příštích 14 dní', 'Otevírací doba každého rozvrhu (config/hours.yaml) včetně státních svátků, uzavřených dnů a mimořádného uzavření; časy v místním čase rozvrhu.'),
    ...info.schedules.map((s) => {
      const first = s.days[0];
      const lead = first ? order.indexOf(first.weekday) : 0;
      return h(
        'article',
        { class: 'schedule', id: `hours-${s.id}`, 'aria-labelledby': `hours-${s.id}-title` },
        h('h2', { id: `hours-${s.id}-title` }, `Rozvrh ${s.id}`, h('small', {}, ` (${s.timezone})`)),
        s.emergency ? h('p', { class: 'warning' }, `Mimořádně uzavřeno do ${czDateTime(s.emergency.until)}: ${s.emergency.reason}`) : null,
        h(
          'div',
          { class: 'calendar', role: 'table', 'aria-label': `Kalendář rozvrhu ${s.id}` },
          h('div', { role: 'row', class: 'calendar-head' }, ...order.map((d) => h('div', { role: 'columnheader' }, WEEKDAY_CS[d] ?? d))),
          h(
            'div',
            { role: 'row', class: 'calendar-body' },
            ...Array.from({ length: lead }, () => h('div', { class: 'day blank', 'aria-hidden': 'true' })),
            ...s.days.map((d) => {
              const open = d.intervals.map((iv) => `${iv.from}–${iv.to}`).join(', ');
              const kind = d.closed?.kind ?? (open ? 'open' : 'outside-hours');
              return h(
                'div',
                { role: 'cell', class: `day ${kind}${open ? ' has-open' : ''}`, title: d.text, 'data-date': d.date },
                h('span', { class: 'date' }, `${WEEKDAY_CS[d.weekday] ?? ''} ${czDay(d.date)}`),
                h('span', { class: 'open' }, open || 'zavřeno'),
                d.closed && d.closed.kind !== 'outside-hours' ? h('span', { class: 'reason' }, reasonText(d.closed)) : null,
              );
            }),
          ),
        ),
      );
    }),
  );
}

// --- Emergency closures -------------------------------------------------------------------------

export async function closuresPage(user: User): Promise<HTMLElement> {
  const info = await api<ClosuresInfo>('GET', 'closures');
  const mayClose = user.permissions.includes('closures');
  const message = h('p', { id: 'closure-message', role: 'status' });
  const section = h(
    'section',
    { 'aria-labelledby': 'closures-title' },
    ...heading('Mimořádné uzavření', 'Uzavře tým hned, s důvodem, který volající uslyší, a s koncem, po kterém se tým otevře sám. Platí od příštího kroku každého hovoru.'),
    message,
  );
  for (const s of info.schedules) {
    const state = s.closure
      ? h('p', { class: 'warning' }, `Mimořádně uzavřeno do ${czDateTime(s.closure.until)} — ${s.closure.reason} (od ${czDateTime(s.closure.since)})`)
      : h('p', {}, s.open ? `Nyní otevřeno${s.closesAt ? `, zavírá ${czDateTime(s.closesAt)}` : ''}.` : `Nyní zavřeno${s.nextOpening ? `, otevře ${czDateTime(s.nextOpening)}` : ''}.`);
    const card = h('article', { class: 'card', id: `closure-${s.id}`, 'aria-labelledby': `closure-${s.id}-title` }, h('h2', { id: `closure-${s.id}-title` }, `Rozvrh ${s.id}`), state);
    if (!mayClose) {
      card.append(h('p', { class: 'muted' }, `Uzavírat a znovu otevírat může jen role supervizor (vy: ${user.role}).`));
    } else if (s.closure) {
      const reopen = h('button', { type: 'button', id: `reopen-${s.id}` }, 'Znovu otevřít hned');
      reopen.addEventListener('click', () => {
        void (async () => {
          try {
            await api('DELETE', `closures/${encodeURIComponent(s.id)}`);
            announce(`Rozvrh ${s.id} je znovu otevřen.`);
            window.dispatchEvent(new HashChangeEvent('hashchange'));
          } catch (err) {
            message.textContent = `Nepodařilo se: ${(err as Error).message}`;
          }
        })();
      });
      card.append(reopen);
    } else {
      const reason = h('input', { id: `close-reason-${s.id}`, name: 'reason', required: true, maxlength: 200, placeholder: 'např. technická porucha' });
      const until = h('input', { id: `close-until-${s.id}`, name: 'until', required: true, value: '2h', 'aria-describedby': `close-until-hint-${s.id}` });
      const form = h(
        'form',
        { class: 'close-form' },
        h('label', { for: `close-reason-${s.id}` }, 'Důvod (volající ho uslyší)'),
        reason,
        h('label', { for: `close-until-${s.id}` }, 'Do kdy'),
        until,
        h('small', { id: `close-until-hint-${s.id}` }, 'Doba (30m, 2h, 1d) nebo čas v Praze (2026-12-24T12:00).'),
        h('button', { type: 'submit', id: `close-${s.id}` }, `Uzavřít ${s.id} hned`),
      );
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        void (async () => {
          try {
            await api('POST', 'closures', { schedule: s.id, reason: reason.value, until: until.value });
            announce(`Rozvrh ${s.id} je uzavřen.`);
            window.dispatchEvent(new HashChangeEvent('hashchange'));
          } catch (err) {
            message.textContent = `Nepodařilo se: ${(err as Error).message}`;
            message.className = 'error';
          }
        })();
      });
      card.append(form);
    }
    section.append(card);
  }
  return section;
}

/** Czech plural: "Nalezen 1 záznam", "Nalezeny 3 záznamy", "Nalezeno 5 záznamů". */
function foundText(n: number): string {
  if (n === 1) return 'Nalezen 1 záznam';
  if (n >= 2 && n <= 4) return `Nalezeny ${n} záznamy`;
  return `Nalezeno ${n} záznamů`;
}

// --- Consent log (dpo) --------------------------------------------------------------------------

export async function consentsPage(): Promise<HTMLElement> {
  const callSid = h('input', { id: 'c-callsid', name: 'callSid', placeholder: 'CA…', autocomplete: 'off', spellcheck: 'false' });
  const from = h('input', { id: 'c-from', name: 'from', type: 'date' });
  const to = h('input', { id: 'c-to', name: 'to', type: 'date' });
  const decision = h('select', { id: 'c-decision', name: 'decision' }, h('option', { value: '' }, 'vše'), h('option', { value: 'granted' }, 'udělen'), h('option', { value: 'declined' }, 'odmítnut'));
  const csv = h('a', { id: 'c-csv', class: 'button', download: '' }, 'Stáhnout CSV');
  const jsonl = h('a', { id: 'c-jsonl', class: 'button', download: '' }, 'Stáhnout JSONL');
  const summary = h('p', { id: 'c-summary', role: 'status' });
  const tbody = h('tbody', {});
  const error = h('p', { class: 'error', role: 'alert' });
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
    csv.href = `api/consents?${q}`;
    q.set('format', 'jsonl');
    jsonl.href = `api/consents?${q}`;
  };
  const search = async () => {
    error.textContent = '';
    updateLinks();
    try {
      const res = await api<ConsentSearch>('GET', `consents?${query()}`);
      summary.textContent = `${foundText(res.total)}${res.truncated ? ` (zobrazeno prvních ${res.rows.length}; stáhněte soubor pro všechny)` : ''}.`;
      tbody.replaceChildren(
        ...res.rows.map((r) =>
          h(
            'tr',
            {},
            h('td', {}, czDateTime(r.at)),
            h('td', {}, h('code', {}, r.callSid)),
            h('td', {}, r.caller),
            h('td', {}, r.decision === 'granted' ? 'udělen' : 'odmítnut'),
            h('td', {}, r.route),
            h('td', {}, r.language),
            h('td', {}, h('a', { href: `#notices/${r.noticeVersion}`, title: `Znění upozornění (SHA-256 ${r.noticeSha256})` }, h('code', {}, `${r.noticeId} v${r.noticeVersion}`))),
          ),
        ),
      );
    } catch (err) {
      error.textContent = `Hledání selhalo: ${(err as Error).message}`;
    }
  };
  const form = h(
    'form',
    { class: 'row', id: 'consent-search', 'aria-label': 'Hledat v záznamech souhlasů' },
    h('div', {}, h('label', { for: 'c-callsid' }, 'CallSid'), callSid),
    h('div', {}, h('label', { for: 'c-from' }, 'Od (den)'), from),
    h('div', {}, h('label', { for: 'c-to' }, 'Do (den, včetně)'), to),
    h('div', {}, h('label', { for: 'c-decision' }, 'Rozhodnutí'), decision),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'c-search' }, 'Hledat')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void search();
  });
  form.addEventListener('input', updateLinks);
  updateLinks();
  await search();
  return h(
    'section',
    { 'aria-labelledby': 'consents-title' },
    h('h1', { id: 'consents-title', tabindex: -1 }, 'Záznamy souhlasů'),
    h('p', { class: 'intro' }, 'Kdo (CallSid, maskované číslo), kdy (UTC, zobrazeno v pražském čase), jaký text upozornění, jaké rozhodnutí a kam hovor šel. Celé číslo volajícího se nikde nezobrazuje ani neexportuje. Každé hledání a export se zapisuje do auditního záznamu.'),
    form,
    h('p', { class: 'downloads' }, csv, ' ', jsonl),
    summary,
    error,
    h(
      'table',
      { class: 'consents' },
      h('caption', { class: 'visually-hidden' }, 'Nalezené souhlasy'),
      h('thead', {}, h('tr', {}, ...['Kdy', 'CallSid', 'Volající', 'Rozhodnutí', 'Trasa', 'Jazyk', 'Upozornění'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody,
    ),
  );
}
