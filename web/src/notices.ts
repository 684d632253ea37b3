// Consent notice texts for the data-protection officer: every version a consent row can name,
// its exact text, and when consents first and last named it. `#notices/<version>` shows one.
import { api, type NoticeList, type NoticeView } from './api.js';
import { czDateTime, h } from './dom.js';

function noticeCard(n: NoticeView): HTMLElement {
  const used = n.firstUsed && n.lastUsed ? `${czDateTime(n.firstUsed)} – ${czDateTime(n.lastUsed)}` : 'zatím žádný souhlas';
  return h(
    'article',
    { class: 'card notice', id: `notice-${n.version}`, 'aria-labelledby': `notice-${n.version}-title` },
    h('h2', { id: `notice-${n.version}-title` }, h('a', { href: `#notices/${n.version}` }, `Verze ${n.version}`), ` · ${n.language}`),
    h(
      'dl',
      {},
      h('dt', {}, 'Upozornění'),
      h('dd', {}, h('code', {}, n.noticeId)),
      h('dt', {}, 'SHA-256 textu'),
      h('dd', {}, h('code', { class: 'hash' }, n.sha256)),
      h('dt', {}, 'Použito v souhlasech'),
      h('dd', {}, used),
    ),
    // The exact text, as callers heard it (text only, never markup; line breaks kept).
    h('blockquote', { class: 'notice-text', lang: n.language, style: 'white-space: pre-wrap' }, n.text),
  );
}

export async function noticesPage(): Promise<HTMLElement> {
  const wanted = /^#notices\/([0-9a-f]{12})$/.exec(location.hash)?.[1];
  let cards: HTMLElement[];
  if (wanted !== undefined) {
    const one = await api<NoticeView>('GET', `notices/${wanted}`);
    cards = [noticeCard(one)];
  } else {
    const { notices } = await api<NoticeList>('GET', 'notices');
    cards = notices.length > 0 ? notices.map(noticeCard) : [h('p', {}, 'Zatím není uložena žádná verze upozornění.')];
  }
  return h(
    'section',
    { 'aria-labelledby': 'notices-title' },
    h('h1', { id: 'notices-title', tabindex: -1 }, wanted !== undefined ? `Znění upozornění ${wanted}` : 'Znění upozornění'),
    h(
      'p',
      { class: 'intro' },
      'Přesný text upozornění na nahrávání v každé verzi, kterou kdy volající slyšeli. Verze v záznamu souhlasu (noticeVersion) je prvních 12 znaků otisku SHA-256 textu. Každé zobrazení se zapisuje do auditního záznamu.',
    ),
    wanted !== undefined ? h('p', {}, h('a', { href: '#notices' }, 'Všechna znění')) : null,
    ...cards,
  );
}
