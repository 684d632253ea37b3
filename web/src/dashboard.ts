// The supervisor's dashboard: the report for a chosen range of Prague days (the same figures
// as `infoline report`), four charts drawn with Chart.js (vendored, loaded from this server),
// and a live view of the line refreshed every 5 seconds.
import type { Chart as ChartClass, ChartConfiguration } from 'chart.js';
import { api, type LiveInfo, type ReportHours, type ReportInfo } from './api.js';
import { announce, h, pragueNow } from './dom.js';

declare global {
  interface Window {
    Chart?: typeof ChartClass;
  }
}

export const LIVE_REFRESH_MS = 5000;

let chartLoad: Promise<typeof ChartClass | undefined> | undefined;

/** Loads vendor/chart.umd.min.js once (served by this console: works offline). */
function loadChart(): Promise<typeof ChartClass | undefined> {
  chartLoad ??= new Promise((resolve) => {
    if (window.Chart) return resolve(window.Chart);
    const script = h('script', { src: 'vendor/chart.umd.min.js' });
    script.addEventListener('load', () => resolve(window.Chart));
    script.addEventListener('error', () => resolve(undefined));
    document.head.append(script);
  });
  return chartLoad;
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(0)} %`);
const secs = (v: number | null) => (v === null ? '–' : `${v} s`);
const minutes = (s: number) => (s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`);

function nextDay(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function table(caption: string, head: string[], rows: (string | number)[][], id?: string): HTMLElement {
  return h(
    'table',
    { class: 'consents', id },
    h('caption', { class: 'muted' }, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, String(c)) : h('td', {}, String(c)))))),
    ),
  );
}

function chartBox(id: string, title: string, summary: string): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': `${title}: ${summary}` });
  const box = h(
    'figure',
    { class: 'card', style: 'margin:0' },
    h('figcaption', {}, h('strong', {}, title)),
    h('div', { style: 'position:relative;height:240px' }, canvas),
  );
  return { box, canvas };
}

const COLORS = ['#005aa0', '#e3b341', '#b42318', '#1a7f37', '#57606a'];

function bar(Chart: typeof ChartClass, canvas: HTMLCanvasElement, labels: string[], sets: { label: string; data: number[] }[]): void {
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: { labels, datasets: sets.map((s, i) => ({ ...s, backgroundColor: COLORS[i % COLORS.length] })) },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: sets.length > 1 } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
  new Chart(canvas, config);
}

async function renderReport(target: HTMLElement, from: string, to: string): Promise<void> {
  const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(nextDay(to))}`;
  const [report, hours] = await Promise.all([api<ReportInfo>('GET', `report?${query}`), api<ReportHours>('GET', `report/hours?${query}`)]);
  const queues = Object.entries(report.queues);
  const nodes = Object.entries(report.abandonedByNode);
  const perHour = hours.hours.map((x) => ({ label: x.hour.slice(from === to ? 11 : 5, 13).replace('T', ' '), calls: x.calls }));
  const charts = {
    hours: chartBox(
      'chart-hours',
      'Hovory po hodinách',
      perHour
        .filter((x) => x.calls > 0)
        .map((x) => `${x.label} h: ${x.calls}`)
        .join(', ') || 'žádné',
    ),
    choices: chartBox(
      'chart-choices',
      'Volby v hlavním menu',
      Object.entries(report.choices)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    ),
    waits: chartBox(
      'chart-waits',
      'Čekání ve frontách (s), medián a 90. percentil',
      queues.map(([id, q]) => `${id}: ${secs(q.waitP50)} / ${secs(q.waitP90)}`).join(', ') || 'žádné',
    ),
    abandoned: chartBox('chart-abandoned', 'Zavěsili v menu podle uzlu', nodes.map(([n, v]) => `${n}: ${v}`).join(', ') || 'nikdo'),
  };
  target.replaceChildren(
    h(
      'dl',
      { class: 'facts card', id: 'report-facts' },
      h('dt', {}, 'Hovory'),
      h('dd', { id: 'fig-calls' }, String(report.calls)),
      h('dt', {}, 'Odmítli nahrávání'),
      h('dd', { id: 'fig-declined' }, String(report.declined)),
      h('dt', {}, 'Zavěsili v menu'),
      h('dd', { id: 'fig-abandoned' }, String(report.abandonedInMenu)),
      h('dt', {}, 'Zavřeno (rozvrh: hovorů)'),
      h(
        'dd',
        {},
        Object.entries(report.closed)
          .map(([s, n]) => `${s}: ${n}`)
          .join(', ') || '–',
      ),
    ),
    h(
      'div',
      { style: 'display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1rem;margin-bottom:1rem' },
      ...Object.values(charts).map((c) => c.box),
    ),
    table(
      `Fronty — úroveň služby: přijato do ${report.serviceLevelSeconds} s ÷ (přijato + zavěsili ve frontě)`,
      ['Fronta', 'Vstoupilo', 'Přijato', 'Zavěsili', 'Vzkazy', 'Zpětná volání', 'Čekání medián', 'Čekání 90 %', 'Úroveň služby'],
      queues.map(([id, q]) => [
        id,
        q.entered,
        q.answered,
        q.abandoned,
        q.messages,
        q.callbacks,
        secs(q.waitP50),
        secs(q.waitP90),
        pct(q.serviceLevel),
      ]),
      'report-queues',
    ),
  );
  const Chart = await loadChart();
  if (!Chart) {
    target.prepend(h('p', { class: 'error', role: 'alert' }, 'Knihovna grafů se nenačetla; čísla níže platí.'));
    return;
  }
  bar(
    Chart,
    charts.hours.canvas,
    perHour.map((x) => x.label),
    [{ label: 'Hovory', data: perHour.map((x) => x.calls) }],
  );
  bar(Chart, charts.choices.canvas, Object.keys(report.choices), [{ label: 'Hovory', data: Object.values(report.choices) }]);
  bar(
    Chart,
    charts.waits.canvas,
    queues.map(([id]) => id),
    [
      { label: 'Medián', data: queues.map(([, q]) => q.waitP50 ?? 0) },
      { label: '90. percentil', data: queues.map(([, q]) => q.waitP90 ?? 0) },
    ],
  );
  bar(
    Chart,
    charts.abandoned.canvas,
    nodes.map(([n]) => n),
    [{ label: 'Zavěsili', data: nodes.map(([, v]) => v) }],
  );
  announce(`Přehled načten: ${report.calls} hovorů.`);
}

async function renderLive(target: HTMLElement): Promise<void> {
  const live = await api<LiveInfo>('GET', 'live');
  const waiting = Object.entries(live.waiting);
  target.replaceChildren(
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'V menu právě teď'),
      h('dd', { id: 'live-menu' }, String(live.inMenu)),
      h('dt', {}, 'Čeká ve frontách'),
      h('dd', { id: 'live-waiting' }, waiting.map(([q, n]) => `${q}: ${n}`).join(', ') || 'nikdo'),
      h('dt', {}, 'Nejdelší čekání'),
      h('dd', { id: 'live-longest' }, live.longestWait ? `${minutes(live.longestWait.seconds)} (${live.longestWait.queue})` : '–'),
    ),
    h(
      'p',
      { class: 'muted' },
      `Aktualizováno ${new Date(live.at).toLocaleTimeString('cs-CZ', { timeZone: 'Europe/Prague' })}, obnovuje se každých ${LIVE_REFRESH_MS / 1000} s.`,
    ),
  );
}

export async function dashboardPage(): Promise<HTMLElement> {
  const [today] = pragueNow();
  const liveBox = h('div', { id: 'live', 'aria-live': 'off' });
  const reportBox = h('div', { id: 'report' });
  const from = h('input', { id: 'report-from', type: 'date', value: today, required: true });
  const to = h('input', { id: 'report-to', type: 'date', value: today, required: true });
  const form = h(
    'form',
    { class: 'row', 'aria-label': 'Období přehledu' },
    h('div', {}, h('label', { for: 'report-from' }, 'Od (den)'), from),
    h('div', {}, h('label', { for: 'report-to' }, 'Do (den, včetně)'), to),
    h('button', { type: 'submit' }, 'Zobrazit'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void renderReport(reportBox, from.value, to.value).catch((err: Error) =>
      reportBox.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Chyba: ${err.message}`)),
    );
  });
  await Promise.all([renderLive(liveBox), renderReport(reportBox, today, today)]);
  // Refreshes while the page is shown; stops once another page replaced it.
  const timer = setInterval(() => {
    if (!liveBox.isConnected) return clearInterval(timer);
    void renderLive(liveBox).catch(() => undefined);
  }, LIVE_REFRESH_MS);
  return h(
    'section',
    { 'aria-labelledby': 'dashboard-title' },
    h('h1', { id: 'dashboard-title', tabindex: -1 }, 'Přehled hovorů'),
    h(
      'p',
      { class: 'intro' },
      'Stejná čísla jako „infoline report“: hovory, které v daném období začaly (dny v pražském čase), ze záznamů všech instancí.',
    ),
    h('section', { class: 'card', 'aria-labelledby': 'live-title' }, h('h2', { id: 'live-title' }, 'Teď na lince'), liveBox),
    form,
    reportBox,
  );
}
