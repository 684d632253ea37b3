// The hours page: a calendar per schedule from any start date, up to 62 days.
import { api, type ClosedReason, type HoursDay, type HoursInfo } from './api.js';
import { czDateTime, czDay, h, pragueNow, WEEKDAY_CS } from './dom.js';

function heading(title: string, intro?: string): HTMLElement[] {
  const out: HTMLElement[] = [h('h1', { tabindex: -1 }, title)];
  if (intro) out.push(h('p', { class: 'intro' }, intro));
  return out;
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

function dayCell(d: HoursDay): HTMLElement {
  const open = d.intervals.map((iv) => `${iv.from}–${iv.to}`).join(', ');
  const kind = d.closed?.kind ?? (open ? 'open' : 'outside-hours');
  return h(
    'div',
    { role: 'cell', class: `day ${kind}${open ? ' has-open' : ''}`, 'data-date': d.date },
    h('span', { class: 'date' }, `${WEEKDAY_CS[d.weekday] ?? ''} ${czDay(d.date)}`),
    h('span', { class: 'open' }, open || 'zavřeno'),
    d.closed && d.closed.kind !== 'outside-hours' ? h('span', { class: 'reason' }, reasonText(d.closed)) : null,
  );
}

export async function hoursPage(): Promise<HTMLElement> {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [today] = pragueNow();
  const fromValue = params.get('from') ?? today;
  const daysValue = Math.min(Math.max(Number(params.get('days') ?? 14) || 14, 1), 62);
  const info = await api<HoursInfo>('GET', `hours?from=${encodeURIComponent(fromValue)}&days=${daysValue}`);
  const order = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const fromInput = h('input', { id: 'hours-from', type: 'date', value: fromValue, required: true });
  const daysInput = h('input', {
    id: 'hours-days',
    type: 'number',
    min: 1,
    max: 62,
    value: daysValue,
    required: true,
    inputmode: 'numeric',
  });
  const form = h(
    'form',
    { class: 'row', 'aria-label': 'Které dny zobrazit' },
    h('div', {}, h('label', { for: 'hours-from' }, 'Od data'), fromInput),
    h('div', {}, h('label', { for: 'hours-days' }, 'Počet dní (1–62)'), daysInput),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'hours-show' }, 'Zobrazit')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#hours?from=${fromInput.value}&days=${daysInput.value}`;
  });
  return h(
    'section',
    { 'aria-labelledby': 'hours-title' },
    ...heading(
      `Provozní doba — ${info.days} dní od ${czDay(fromValue)}`,
      'Otevírací doba každého rozvrhu (config/hours.yaml) včetně státních svátků, uzavřených dnů a mimořádného uzavření; časy v místním čase rozvrhu.',
    ),
    form,
    ...info.schedules.map((s) => {
      const first = s.days[0];
      const lead = first ? order.indexOf(first.weekday) : 0;
      const cells: HTMLElement[] = [
        ...Array.from({ length: lead }, () => h('div', { class: 'day blank', role: 'cell' })),
        ...s.days.map(dayCell),
      ];
      while (cells.length % 7 !== 0) cells.push(h('div', { class: 'day blank', role: 'cell' }));
      // One row per week: every cell sits under its weekday header.
      const weeks = Array.from({ length: cells.length / 7 }, (_, w) =>
        h('div', { role: 'row', class: 'calendar-body' }, ...cells.slice(w * 7, w * 7 + 7)),
      );
      return h(
        'article',
        { class: 'schedule', id: `hours-${s.id}`, 'aria-labelledby': `hours-${s.id}-title` },
        h('h2', { id: `hours-${s.id}-title` }, s.name ?? s.id, h('small', {}, ` (${s.timezone})`)),
        s.emergency ? h('p', { class: 'warning' }, `Mimořádně uzavřeno do ${czDateTime(s.emergency.until)}: ${s.emergency.reason}`) : null,
        h(
          'div',
          { class: 'calendar', role: 'table', 'aria-label': `Kalendář: ${s.name ?? s.id}` },
          h('div', { role: 'row', class: 'calendar-head' }, ...order.map((d) => h('div', { role: 'columnheader' }, WEEKDAY_CS[d] ?? d))),
          ...weeks,
        ),
      );
    }),
  );
}
