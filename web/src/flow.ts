// The flow page: what the line does today, top to bottom from the start — every menu with its
// keys and the texts callers hear (long ones shortened, open to read in full), every route with
// its queue and its schedule's state now. Nested lists: readable at any width and the text
// alternative of the Mermaid diagram (`infoline graph`), whose source stays available here.
import { api, type FlowInfo, type FlowOutline, type OutlineNode, type OutlineText, type ScheduleState } from './api.js';
import { czDateTime, h } from './dom.js';

const SHORT = 110;
const LANGS: Record<string, string> = { cs: 'čeština', en: 'angličtina' };

/** A text callers hear: short ones whole, long ones shortened with a way to read them in full. */
export function heardText(text: string, cls = 'heard'): HTMLElement {
  if (text.length <= SHORT) return h('p', { class: cls }, h('q', {}, text));
  const cut = text.slice(0, SHORT).replace(/\s+\S*$/, '');
  return h(
    'details',
    { class: `${cls} long` },
    h('summary', {}, h('q', {}, `${cut}…`), h('span', { class: 'more' }, ' (celý text)')),
    h('p', {}, h('q', {}, text)),
  );
}

function texts(list: OutlineText[]): HTMLElement[] {
  return list.map((t) => heardText(t.text));
}

export function scheduleText(s: ScheduleState): string {
  if (s.emergency) return `${s.name}: mimořádně uzavřeno do ${czDateTime(s.emergency.until)} (${s.emergency.reason})`;
  if (s.open) return `${s.name}: nyní otevřeno${s.closesAt ? `, zavírá ${czDateTime(s.closesAt)}` : ''}`;
  return `${s.name}: nyní zavřeno${s.nextOpening ? `, otevře ${czDateTime(s.nextOpening)}` : ''}`;
}

function scheduleBadge(s: ScheduleState): HTMLElement {
  return h('p', { class: `state ${s.emergency ? 'emergency' : s.open ? 'open' : 'closed'}` }, scheduleText(s));
}

function title(text: string, id: string): HTMLElement {
  return h('p', { class: 'node-title' }, h('strong', {}, text), ' ', h('code', { class: 'node-id' }, id));
}

function nodeView(node: OutlineNode): HTMLElement {
  switch (node.kind) {
    case 'menu': {
      const keys = h(
        'ol',
        { class: 'keys' },
        node.options.map((o) => h('li', {}, h('span', { class: 'key', 'aria-label': `klávesa ${o.key}` }, o.key), nodeView(o.next))),
        h(
          'li',
          {},
          h('span', { class: 'key', 'aria-label': 'hvězdička' }, '*'),
          h('div', { class: 'node' }, h('p', { class: 'node-title' }, 'Zopakuje nabídku.')),
        ),
        node.wrongKeys.length
          ? h(
              'li',
              {},
              h('span', { class: 'key wide' }, node.wrongKeys.join(', ')),
              h('div', { class: 'node' }, h('p', { class: 'node-title' }, 'Neplatná volba: „Tuto volbu neznáme.“ a nabídka znovu.')),
            )
          : null,
        h('li', {}, h('span', { class: 'key wide' }, `${node.retries}× nic / chyba`), nodeView(node.exhausted)),
      );
      return h(
        'div',
        { class: 'node menu', 'data-node': node.id },
        title(node.lang === 'cs' ? 'Nabídka' : `Nabídka (${LANGS[node.lang] ?? node.lang})`, node.id),
        node.intro.length ? h('div', { class: 'texts' }, h('p', { class: 'label' }, 'Poprvé uslyší:'), texts(node.intro)) : null,
        h('div', { class: 'texts' }, h('p', { class: 'label' }, node.intro.length ? 'Pak pokaždé:' : 'Uslyší:'), texts(node.prompts)),
        keys,
      );
    }
    case 'route':
      return h(
        'div',
        { class: 'node route', 'data-node': node.id },
        title(`Spojení: fronta ${node.target}`, node.id),
        h(
          'p',
          { class: 'muted' },
          node.consent ? 'Volbou volající souhlasí s nahráváním (zapíše se souhlas).' : 'Bez souhlasu, hovor se nenahrává.',
        ),
        node.schedule ? scheduleBadge(node.schedule) : null,
        h('div', { class: 'texts' }, texts(node.texts)),
        node.closed ? h('div', { class: 'closed-branch' }, h('p', { class: 'label' }, 'Když je zavřeno:'), nodeView(node.closed)) : null,
      );
    case 'say':
      return h(
        'div',
        { class: 'node say', 'data-node': node.id },
        title('Hlášení', node.id),
        node.schedule ? h('p', { class: 'muted' }, 'Jak zní teď (časy a důvod se doplní podle rozvrhu):') : null,
        h('div', { class: 'texts' }, texts(node.texts)),
        h('div', { class: 'then' }, h('p', { class: 'label' }, 'Potom:'), nodeView(node.next)),
      );
    case 'language':
      return h(
        'div',
        { class: 'node language', 'data-node': node.id },
        title(`Jazyk přepnut: ${LANGS[node.language] ?? node.language}`, node.id),
        nodeView(node.next),
      );
    case 'goodbye':
      return h(
        'div',
        { class: 'node goodbye', 'data-node': node.id },
        title(node.declined ? 'Nesouhlas s nahráváním (zapíše se), rozloučení a zavěšení' : 'Rozloučení a zavěšení', node.id),
        h('div', { class: 'texts' }, texts(node.texts)),
      );
    case 'ref':
      return h(
        'div',
        { class: 'node ref', 'data-node': node.id },
        h(
          'p',
          { class: 'node-title' },
          `↩ Zpět na ${node.menu ? 'nabídku' : 'krok'} `,
          h('code', { class: 'node-id' }, node.id),
          ' (popsáno výše)',
        ),
      );
  }
}

export async function flowPage(): Promise<HTMLElement> {
  const [outline, flow] = await Promise.all([api<FlowOutline>('GET', 'outline'), api<FlowInfo>('GET', 'flow')]);
  return h(
    'section',
    { 'aria-labelledby': 'flow-title', class: 'flow' },
    h('h1', { id: 'flow-title', tabindex: -1 }, 'Tok hovoru'),
    h(
      'p',
      { class: 'intro' },
      `Co linka dělá teď (${czDateTime(outline.at)}): shora od začátku hovoru, každá nabídka s klávesami a texty, které volající slyší, a kam která volba vede. Jazyky: ${flow.languages.map((l) => LANGS[l] ?? l).join(', ') || '—'}.`,
    ),
    h(
      'div',
      { class: 'outline', id: 'flow-outline' },
      h('p', { class: 'node-title start' }, h('strong', {}, 'Příchozí hovor')),
      nodeView(outline.start),
    ),
    h(
      'details',
      { class: 'mermaid-source' },
      h('summary', {}, 'Zdroj diagramu pro export (Mermaid, totéž co vypíše „infoline graph“)'),
      h('pre', { class: 'source', id: 'flow-mermaid' }, flow.mermaid ?? ''),
    ),
  );
}
