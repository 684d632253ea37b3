// Emergency closures: the end is picked from presets (30 min, 1 h, 2 h, end of day) or a time;
// before confirming, the supervisor reads the exact sentences callers will hear (worked out by
// the server with the calls' own code). Each closure shows who set it and when. Supervisors
// can also close the whole line ("Celá linka").
import {
  api,
  type CloseBody,
  type ClosureCleared,
  type Closure,
  type ClosureHistory,
  type ClosurePreview,
  type ClosureSet,
  type ClosuresInfo,
  type TodayInfo,
  type User,
} from './api.js';
import { announce, czDateTime, h, pragueNow } from './dom.js';
import { errorText, roleName } from './messages.js';

const LINE = 'line';
const PRESETS: { value: string; label: string }[] = [
  { value: '30m', label: '30 minut' },
  { value: '1h', label: '1 hodina' },
  { value: '2h', label: '2 hodiny' },
  { value: 'eod', label: 'do konce dne' },
  { value: 'at', label: 'do zadaného času' },
];

/** Midnight at the end of today in Prague, as the local time the API reads ("2026-11-26T00:00"). */
function endOfDay(): string {
  const [today] = pragueNow();
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return `${d.toISOString().slice(0, 10)}T00:00`;
}

interface Target {
  id: string;
  name: string;
  closure: Closure | null;
  stateText: string;
}

function reloadPage(): void {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

function closeForm(target: Target, message: HTMLElement): HTMLElement {
  const id = target.id;
  const reason = h('input', {
    id: `close-reason-${id}`,
    name: 'reason',
    required: true,
    maxlength: 200,
    placeholder: 'např. porucha telefonů',
  });
  const [today, time] = pragueNow();
  const at = h('input', {
    id: `close-at-${id}`,
    type: 'datetime-local',
    value: `${today}T${time}`,
    'aria-label': 'Konec uzavření (pražský čas)',
    hidden: true,
  });
  const radios = PRESETS.map((p, i) => {
    const input = h('input', {
      type: 'radio',
      name: `close-until-${id}`,
      value: p.value,
      id: `close-until-${id}-${p.value}`,
      checked: i === 2,
    });
    input.addEventListener('change', () => {
      at.hidden = p.value !== 'at' || !input.checked;
    });
    return h('label', { class: 'check', for: `close-until-${id}-${p.value}` }, input, ` ${p.label}`);
  });
  const until = () => {
    const chosen = (document.querySelector(`input[name="close-until-${id}"]:checked`) as HTMLInputElement | null)?.value ?? '2h';
    return chosen === 'eod' ? endOfDay() : chosen === 'at' ? at.value : chosen;
  };
  const preview = h('div', { class: 'preview', id: `close-preview-${id}`, 'aria-live': 'polite' });
  const check = h('button', { type: 'submit', id: `close-${id}` }, id === LINE ? 'Uzavřít celou linku…' : `Uzavřít ${target.name}…`);
  const form = h(
    'form',
    { class: 'close-form' },
    h('label', { for: `close-reason-${id}` }, 'Důvod (volající ho uslyší)'),
    reason,
    h('fieldset', { class: 'presets' }, h('legend', {}, 'Do kdy'), ...radios, at),
    check,
    preview,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      message.textContent = '';
      const end = until();
      try {
        const body: CloseBody = { schedule: id, reason: reason.value, until: end };
        const p = await api<ClosurePreview>('GET', `closure-preview?${new URLSearchParams({ ...body })}`);
        const confirm = h('button', { type: 'button', id: `close-confirm-${id}` }, `Potvrdit: uzavřít do ${czDateTime(p.until)}`);
        const back = h('button', { type: 'button', class: 'secondary' }, 'Zpět');
        preview.replaceChildren(
          h('p', { class: 'label' }, 'Volající uslyší:'),
          h('blockquote', { id: `close-sentence-${id}` }, p.sentences.join(' ')),
          h('div', { class: 'row' }, confirm, back),
        );
        back.addEventListener('click', () => {
          preview.replaceChildren();
          check.focus();
        });
        confirm.addEventListener('click', () => {
          void (async () => {
            try {
              await api<ClosureSet>('POST', 'closures', body);
              announce(`${target.name}: uzavřeno.`);
              reloadPage();
            } catch (err) {
              message.textContent = `Nepodařilo se: ${errorText(err)}`;
            }
          })();
        });
        confirm.focus();
      } catch (err) {
        message.textContent = `Nepodařilo se: ${errorText(err)}`;
      }
    })();
  });
  return form;
}

export async function closuresPage(user: User): Promise<HTMLElement> {
  const [info, today, history] = await Promise.all([
    api<ClosuresInfo>('GET', 'closures'),
    api<TodayInfo>('GET', 'today'),
    api<ClosureHistory>('GET', 'closure-history'),
  ]);
  const mayClose = user.permissions.includes('closures');
  const message = h('p', { id: 'closure-message', role: 'alert', class: 'error' });
  const section = h(
    'section',
    { 'aria-labelledby': 'closures-title' },
    h('h1', { id: 'closures-title', tabindex: -1 }, 'Mimořádné uzavření'),
    h(
      'p',
      { class: 'intro' },
      'Uzavře tým (nebo celou linku) hned, s důvodem, který volající uslyší, a s koncem, po kterém se otevře sám. Platí od příštího kroku každého hovoru. Před potvrzením uvidíte přesně, co volající uslyší.',
    ),
    message,
  );
  const targets: Target[] = info.schedules.map((s) => ({
    id: s.id,
    name: s.name ?? s.id,
    closure: s.closure,
    stateText: s.open
      ? `Nyní otevřeno${s.closesAt ? `, zavírá ${czDateTime(s.closesAt)}` : ''}.`
      : `Nyní zavřeno${s.nextOpening ? `, otevře ${czDateTime(s.nextOpening)}` : ''}.`,
  }));
  if (mayClose) {
    const line = today.closures.find((c) => c.schedule === LINE) ?? null;
    targets.unshift({
      id: LINE,
      name: 'Celá linka',
      closure: line,
      stateText: 'Všechny nové hovory uslyší důvod, kam se jinak obrátit (pobočky, e-podatelna) a rozloučení.',
    });
  }
  for (const s of targets) {
    const who = history.closures[s.id];
    const state = s.closure
      ? h(
          'p',
          { class: 'warning' },
          `Mimořádně uzavřeno do ${czDateTime(s.closure.until)} — ${s.closure.reason}. `,
          who ? `Uzavřel(a) ${who.who}, ${czDateTime(who.at)}.` : `Od ${czDateTime(s.closure.since)}.`,
        )
      : h('p', {}, s.stateText);
    const card = h(
      'article',
      { class: 'card', id: `closure-${s.id}`, 'aria-labelledby': `closure-${s.id}-title` },
      h('h2', { id: `closure-${s.id}-title` }, s.name),
      state,
    );
    if (!mayClose) {
      card.append(h('p', { class: 'muted' }, `Uzavírat a znovu otevírat může jen role supervizor (vaše role: ${roleName(user.role)}).`));
    } else if (s.closure) {
      const reopen = h('button', { type: 'button', id: `reopen-${s.id}` }, 'Znovu otevřít hned');
      reopen.addEventListener('click', () => {
        void (async () => {
          try {
            await api<ClosureCleared>('DELETE', `closures/${encodeURIComponent(s.id)}`);
            announce(`${s.name}: znovu otevřeno.`);
            reloadPage();
          } catch (err) {
            message.textContent = `Nepodařilo se: ${errorText(err)}`;
          }
        })();
      });
      card.append(reopen);
    } else {
      card.append(closeForm(s, message));
    }
    section.append(card);
  }
  return section;
}
