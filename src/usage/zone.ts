// The instant a calendar day starts in the org's time zone, for the few queries that
// filter raw timestamps (sessions) by a day range.
import type { DayCalendar } from './days.ts';

const SLOT_MS = 15 * 60 * 1000;

const FORMATS = new Map<string, Intl.DateTimeFormat>();

function offsetMs(ts: number, timeZone: string): number {
  let f = FORMATS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    FORMATS.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(ts));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return local - (ts - (((ts % 1000) + 1000) % 1000));
}

/** Milliseconds since the epoch of the first instant of `day` ('YYYY-MM-DD') in the calendar's zone. */
export function dayStartMs(day: string, calendar: DayCalendar): number {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  let t = midnightUtc - offsetMs(midnightUtc, calendar.timeZone);
  t = midnightUtc - offsetMs(t, calendar.timeZone);
  // Zones that skip midnight on a DST change start the day later; offsets are whole
  // quarter hours, so walking in 15-minute steps lands on the first instant of the day.
  while (calendar.dayOf(t) < day) t += SLOT_MS;
  while (calendar.dayOf(t - SLOT_MS) === day) t -= SLOT_MS;
  return t;
}
