// A tiny element builder: text always goes in as text (never as HTML), so nothing from the
// configuration or the consent log can inject markup.

type Attrs = Record<string, string | number | boolean | undefined | ((ev: Event) => void)>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

const PRAGUE = 'Europe/Prague';

/** "pá 27. 11. 2026 15:00" in Prague time. */
export function czDateTime(iso: string): string {
  return new Intl.DateTimeFormat('cs-CZ', {
    timeZone: PRAGUE,
    weekday: 'short',
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

/** "27. 11." for a YYYY-MM-DD date. */
export function czDay(date: string): string {
  const [, m, d] = date.split('-');
  return `${Number(d)}. ${Number(m)}.`;
}

export const WEEKDAY_CS: Record<string, string> = { mon: 'po', tue: 'út', wed: 'st', thu: 'čt', fri: 'pá', sat: 'so', sun: 'ne' };

/** Today's date and the current time in Prague, for form defaults: ["2026-11-27", "15:00"]. */
export function pragueNow(): [string, string] {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: PRAGUE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date());
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return [`${get('year')}-${get('month')}-${get('day')}`, `${get('hour')}:${get('minute')}`];
}

/** Says `text` in the page's polite live region (screen readers announce it). */
export function announce(text: string): void {
  const status = document.getElementById('status');
  if (status) status.textContent = text;
}
