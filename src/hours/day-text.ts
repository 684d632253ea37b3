// One day of a schedule in words: its open intervals, or why it is closed (CLI `hours`, console).
import type { ScheduleDay } from './types.js';

export function dayText(day: ScheduleDay): string {
  const open = day.intervals.map((iv) => `${iv.from}–${iv.to}`).join(', ');
  const reason = day.closed;
  if (reason === undefined) return open === '' ? 'closed (outside weekly hours)' : open;
  let why: string;
  switch (reason.kind) {
    case 'holiday':
      why = reason.name;
      break;
    case 'closure':
      why = reason.reason;
      break;
    case 'emergency':
      why = `emergency: ${reason.reason} until ${reason.until}`;
      break;
    case 'outside-hours':
      why = 'outside weekly hours';
      break;
  }
  // An emergency closure that ends before or during the day leaves the rest of the day open.
  return open === '' ? `closed (${why})` : `${open} (after ${why})`;
}
