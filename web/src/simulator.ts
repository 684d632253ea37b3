// The simulator page: plays a call through the real webhooks at a chosen moment. The newest
// step is kept in view (a scroll box beside the keypad), long texts heard before are folded,
// only new steps are appended to the live region, and the computer keyboard's digits, * and #
// press the keypad. A number (identification) is typed key by key and sent at its #, as a phone
// does. When the call ends, focus moves to the outcome (never dropped to <body>).
import {
  api,
  type FlowInfo,
  type HeardItem,
  type KeypadInput,
  type SimEnd,
  type SimResult,
  type SimStep,
  type SimulateBody,
} from './api.js';
import { announce, h, pragueNow } from './dom.js';
import { heardText } from './flow.js';
import { errorText } from './messages.js';

const KEYPAD: { key: KeypadInput; label: string; aria: string }[] = [
  ...(['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const).map((k) => ({ key: k, label: k, aria: `klávesa ${k}` })),
  { key: '*', label: '*', aria: 'hvězdička (zopakovat)' },
  { key: '0', label: '0', aria: 'klávesa 0' },
  { key: '#', label: '#', aria: 'mřížka (ukončí zadání čísla)' },
  { key: 'silence', label: 'bez volby', aria: 'bez volby (volající nic nestiskne)' },
];
const LONG = 110;

function inputLabel(input: string | null, i: number): string {
  if (i === 0) return 'Začátek hovoru';
  if (input === 'silence') return 'Volající nic nestiskl';
  if (input === '*') return 'Volající stiskl hvězdičku';
  if (input === '#') return 'Volající stiskl mřížku';
  // An entry of several keys (a number and its #), masked by the server.
  if (input !== null && input.length > 1) return `Volající zadal ${input}`;
  return `Volající stiskl ${input ?? ''}`;
}

/** The outcome in Czech and its colour class: connected (ok), hung up (neutral), error. */
function outcome(end: SimEnd): { text: string; cls: string } {
  switch (end.kind) {
    case 'queue':
      return { text: `Hovor spojen do fronty ${end.queue} — čeká na operátora.`, cls: 'connected' };
    case 'dial':
      return { text: `Hovor přepojen na ${end.target}.`, cls: 'connected' };
    case 'hangup':
      return { text: 'Linka hovor ukončila (zavěsila) — volající nebyl spojen s operátorem.', cls: 'hangup' };
    case 'waiting':
      return { text: 'Hovor čeká na další klávesu.', cls: 'waiting' };
    default:
      return { text: `Hovor skončil chybou: ${end.message}`, cls: 'failed' };
  }
}

export async function simulatorPage(): Promise<HTMLElement> {
  const flow = await api<FlowInfo>('GET', 'flow');
  const [today, time] = pragueNow();
  const date = h('input', { id: 'sim-date', type: 'date', value: today, required: true });
  const clock = h('input', { id: 'sim-time', type: 'time', value: time, required: true });
  const lang = h(
    'select',
    { id: 'sim-lang' },
    (flow.languages.length ? flow.languages : ['cs']).map((l) =>
      h('option', { value: l }, l === 'cs' ? 'čeština' : l === 'en' ? 'angličtina' : l),
    ),
  );
  const pressed = h('p', { id: 'sim-pressed', class: 'pressed' });
  // Only additions are announced: a new step is read, the notice is not re-read.
  const transcript = h('ol', { id: 'sim-transcript', class: 'transcript', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const box = h('div', { class: 'transcript-box', tabindex: 0, role: 'region', 'aria-label': 'Přepis hovoru' }, transcript);
  const end = h('p', { id: 'sim-end', class: 'end', tabindex: -1 });
  const error = h('p', { class: 'error', role: 'alert', id: 'sim-error' });
  let inputs: KeypadInput[] = [];
  let ended = false;
  let shown = 0;
  let heardBefore = new Set<string>();
  let queue: Promise<void> = Promise.resolve();
  const run = (next: (current: KeypadInput[]) => KeypadInput[] | null, untilEnd: boolean) => {
    queue = queue.then(() => {
      const wanted = next(inputs);
      return wanted === null ? undefined : play(wanted, untilEnd);
    });
    return queue;
  };

  const keypad = h('div', { class: 'keypad', role: 'group', 'aria-label': 'Klávesnice telefonu' });
  const press = (key: KeypadInput) => void run((current) => (ended ? null : [...current, key]), false);
  const buttons = KEYPAD.map((k) => {
    const b = h(
      'button',
      { type: 'button', 'data-key': k.key, 'aria-label': k.aria, class: k.key === 'silence' ? 'wide' : undefined },
      k.label,
    );
    b.addEventListener('click', () => press(k.key));
    keypad.append(b);
    return b;
  });
  const toEnd = h('button', { type: 'button', id: 'sim-to-end' }, 'Dál už nic nestisknout (do konce hovoru)');
  toEnd.addEventListener('click', () => void run((current) => (ended ? null : current), true));
  const restart = h('button', { type: 'button', id: 'sim-restart', class: 'secondary' }, 'Nový hovor');
  restart.addEventListener('click', () => void run(() => [], false));

  const itemView = (item: HeardItem): HTMLElement => {
    const gather = item.kind !== 'pause' && item.inGather;
    const cls = `say${gather ? ' gather' : ''}`;
    if (item.kind === 'play') return h('li', { class: cls }, `♪ nahrávka ${item.url}`);
    if (item.kind === 'pause') return h('li', { class: cls }, `(pauza ${item.seconds} s)`);
    if (item.text.length > LONG && heardBefore.has(item.text)) {
      // Heard earlier in this call: folded, so the new answer is not pushed off the screen.
      return h(
        'li',
        { class: `${cls} repeated` },
        h(
          'details',
          {},
          h('summary', {}, `Znovu: „${item.text.slice(0, 60).replace(/\s+\S*$/, '')}…“ (slyšeli výše)`),
          h('p', {}, item.text),
        ),
      );
    }
    heardBefore.add(item.text);
    return h('li', { class: cls }, heardText(item.text, 'heard-inline'));
  };
  const stepView = (step: SimStep, i: number) =>
    h(
      'li',
      { class: 'step', 'data-step': i + 1 },
      h('h3', {}, `Krok ${i + 1}: ${inputLabel(step.input, i)}`),
      h('ul', {}, step.heard.map(itemView)),
    );

  async function play(next: KeypadInput[], untilEnd: boolean): Promise<void> {
    error.textContent = '';
    try {
      const result = await api<SimResult>('POST', 'simulate', {
        at: `${date.value}T${clock.value}`,
        language: lang.value,
        inputs: next,
        untilEnd,
      } satisfies SimulateBody);
      const wasEnded = ended;
      const steps = result.call.steps;
      // The same call continued: append only its new steps; otherwise start the transcript over.
      if (next.length === 0 || steps.length < shown) {
        transcript.replaceChildren();
        shown = 0;
        heardBefore = new Set();
      }
      const added = steps.slice(shown).map((s, j) => stepView(s, shown + j));
      transcript.append(...added);
      shown = steps.length;
      inputs = next.slice(0, next.length - result.unused);
      ended = !result.waiting;
      // What was sent, as the server masked it (a typed number shows as x), then the keys of a
      // number still being typed, hidden the same way.
      const sent = result.call.presses.map((k) => (k === 'silence' ? '(nic)' : k));
      if (result.typing > 0) sent.push(`${'x'.repeat(result.typing)}… (dokončete mřížkou #)`);
      pressed.textContent = sent.length ? `Stisknuto: ${sent.join(' → ')}` : 'Zatím nic nestisknuto.';
      const consents = result.call.consents.map(
        (c) => `Souhlas s nahráváním (jen simulace, neuloženo): ${c.decision === 'granted' ? 'udělen' : 'odmítnut'}, fronta ${c.route}.`,
      );
      const o = result.waiting
        ? { text: 'Hovor čeká na volbu — stiskněte klávesu (i na klávesnici počítače).', cls: 'waiting' }
        : outcome(result.call.end);
      end.replaceChildren(o.text, ...consents.flatMap((c) => [h('br'), c]));
      end.className = `end ${o.cls}`;
      for (const b of buttons) b.disabled = ended;
      toEnd.disabled = ended;
      // The newest step's heading at the top of the transcript box, the outcome in the window.
      const newest = added[added.length - 1];
      if (newest) box.scrollTop = newest.offsetTop;
      end.scrollIntoView({ block: 'nearest' });
      if (ended && !wasEnded) {
        end.focus();
        announce(o.text);
      } else {
        announce(result.waiting ? 'Hovor čeká na volbu.' : o.text);
      }
    } catch (err) {
      error.textContent = `Simulace selhala: ${errorText(err)}`;
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
  // A new call when the moment or language really changes (a blur may repeat the change event).
  let settingsKey = `${date.value}|${clock.value}|${lang.value}`;
  for (const field of [date, clock, lang]) {
    field.addEventListener('change', () => {
      const key = `${date.value}|${clock.value}|${lang.value}`;
      if (key === settingsKey) return;
      settingsKey = key;
      void run(() => [], false);
    });
  }

  const legend = h(
    'ul',
    { class: 'legend', id: 'sim-legend' },
    h('li', {}, h('span', { class: 'mark' }, '⌨'), ' hraje, zatímco linka čeká na klávesu — volající může volit hned.'),
    h('li', {}, 'Bez značky: hraje, aniž by šlo volit.'),
    h('li', {}, 'Dlouhý text, který už v hovoru zazněl, je sbalený („Znovu: …“).'),
  );
  const section = h(
    'section',
    { 'aria-labelledby': 'sim-title', class: 'simulator' },
    h('h1', { id: 'sim-title', tabindex: -1 }, 'Simulátor hovoru'),
    h(
      'p',
      { class: 'intro' },
      'Přehraje hovor přes skutečné webhooky linky (stejně jako „infoline simulate“) v zadaný okamžik, s aktuální konfigurací a mimořádnými uzavřeními. Souhlasy se neukládají. Číslice, * a # na klávesnici počítače stisknou klávesu telefonu; číslo (např. rodné číslo) se zadává po číslicích a ukončuje mřížkou #.',
    ),
    settings,
    h(
      'div',
      { class: 'sim-grid' },
      h('div', {}, keypad, toEnd, pressed, legend),
      h('div', {}, h('h2', {}, 'Co volající slyší'), end, error, box),
    ),
  );

  const onKey = (ev: KeyboardEvent) => {
    if (!section.isConnected) {
      document.removeEventListener('keydown', onKey);
      return;
    }
    const target = ev.target as HTMLElement | null;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    // Whether the call still takes keys is decided in turn (after a pending "Nový hovor").
    const key = KEYPAD.find((k) => k.key === ev.key && k.key !== 'silence')?.key;
    if (key !== undefined) {
      ev.preventDefault();
      press(key);
    }
  };
  document.addEventListener('keydown', onKey);
  void run(() => [], false);
  return section;
}
