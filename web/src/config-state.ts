// The config state on every page: version, when it was loaded, and a refused edit with its
// file:line errors. Polls GET config-state; the DOM changes only when the state does, so a
// screen reader hears a change once.
import { api, type ConfigState } from './api.js';
import { czDateTime, h } from './dom.js';

const POLL_MS = 5_000;
let timer: number | undefined;
let last = '';

function render(box: HTMLElement, s: ConfigState): void {
  const facts = h(
    'p',
    { class: 'config-facts' },
    'Konfigurace ',
    h('code', { id: 'config-version' }, s.version ?? '—'),
    ', načtena ',
    h('span', { id: 'config-loaded' }, s.loadedAt ? czDateTime(s.loadedAt) : '—'),
    '.',
  );
  const refused = s.refused
    ? h(
        'div',
        { class: 'warning', id: 'config-refused' },
        h('strong', {}, 'Poslední úprava konfigurace byla odmítnuta — linka dál běží na verzi výše. Chyby:'),
        h(
          'ul',
          {},
          s.refused.map((i) => h('li', {}, h('code', {}, i.text))),
        ),
      )
    : null;
  box.replaceChildren(facts, ...(refused ? [refused] : []));
}

/** The banner element; starts polling (one poller for the whole console). */
export function configBanner(): HTMLElement {
  const box = h('section', { class: 'config-state', id: 'config-state', 'aria-label': 'Stav konfigurace', 'aria-live': 'polite' });
  const tick = async () => {
    try {
      const s = await api<ConfigState>('GET', 'config-state');
      const key = JSON.stringify(s);
      if (key !== last || !box.hasChildNodes()) {
        last = key;
        render(box, s);
      }
    } catch {
      // Signed out or offline: the page itself says so; try again on the next tick.
    }
  };
  last = '';
  void tick();
  if (timer !== undefined) window.clearInterval(timer);
  timer = window.setInterval(() => {
    const live = document.getElementById('config-state');
    if (live) {
      if (live !== box) return;
      void tick();
    }
  }, POLL_MS);
  return box;
}

export function stopConfigBanner(): void {
  if (timer !== undefined) window.clearInterval(timer);
  timer = undefined;
}
