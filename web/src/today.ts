// "Today": the landing page of viewers — which teams are open now, the emergency closures in
// force, and the config state (also shown on every page).
import { api, type TodayInfo } from './api.js';
import { czDateTime, h } from './dom.js';
import { scheduleText } from './flow.js';

export async function todayPage(): Promise<HTMLElement> {
  const info = await api<TodayInfo>('GET', 'today');
  return h(
    'section',
    { 'aria-labelledby': 'today-title' },
    h('h1', { id: 'today-title', tabindex: -1 }, 'Dnes na lince'),
    h('p', { class: 'intro' }, `Stav k ${czDateTime(info.now)}.`),
    h('h2', {}, 'Otevřeno teď'),
    h(
      'ul',
      { class: 'today-list', id: 'today-schedules' },
      info.schedules.map((s) => h('li', { class: `state ${s.emergency ? 'emergency' : s.open ? 'open' : 'closed'}` }, scheduleText(s))),
    ),
    h('h2', {}, 'Mimořádná uzavření v platnosti'),
    info.closures.length
      ? h(
          'ul',
          { class: 'today-list', id: 'today-closures' },
          info.closures.map((c) =>
            h(
              'li',
              {},
              `${c.schedule === 'line' ? 'Celá linka' : (info.schedules.find((s) => s?.id === c.schedule)?.name ?? c.schedule)}: do ${czDateTime(c.until)} — ${c.reason} (od ${czDateTime(c.since)})`,
            ),
          ),
        )
      : h('p', { id: 'today-closures' }, 'Žádná.'),
  );
}
