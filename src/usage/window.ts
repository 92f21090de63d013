// Time windows of the pages (today/7d/30d/90d/all) as inclusive day ranges in the org's
// time zone. `today` counts as one of the days: 7d is today and the six days before.
import { addDays, type DayCalendar } from './days.ts';

export const WINDOWS = ['today', '7d', '30d', '90d', 'all'] as const;
export type WindowName = (typeof WINDOWS)[number];

export interface DayRange {
  window: WindowName;
  /** First day, or null for "all". */
  from: string | null;
  to: string;
  /** Number of days in the range, or null for "all". */
  days: number | null;
}

const LENGTH: Record<Exclude<WindowName, 'all'>, number> = { today: 1, '7d': 7, '30d': 30, '90d': 90 };

export function isWindow(w: unknown): w is WindowName {
  return typeof w === 'string' && (WINDOWS as readonly string[]).includes(w);
}

export function windowRange(window: WindowName, calendar: DayCalendar, now = Date.now()): DayRange {
  const to = calendar.dayOf(now);
  if (window === 'all') return { window, from: null, to, days: null };
  const days = LENGTH[window];
  return { window, from: addDays(to, -(days - 1)), to, days };
}

/** The range of the same length just before `r` (for "lapsed": active then, not now). */
export function previousRange(r: DayRange): DayRange | null {
  if (r.from === null || r.days === null) return null;
  return { window: r.window, from: addDays(r.from, -r.days), to: addDays(r.from, -1), days: r.days };
}
