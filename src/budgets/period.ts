// Budget periods as inclusive day ranges in the org's calendar (pure): a week runs Monday
// to Sunday, a month from its 1st to its last day.
import { addDays } from '../usage/days.ts';
import { weekStart } from '../usage/team.ts';
import type { PeriodName } from '../db/repos/budgets.ts';

export interface PeriodRange { start: string; end: string }

export function periodOf(period: PeriodName, day: string): PeriodRange {
  if (period === 'week') {
    const start = weekStart(day);
    return { start, end: addDays(start, 6) };
  }
  const start = `${day.slice(0, 7)}-01`;
  const next = new Date(`${start}T00:00:00Z`);
  next.setUTCMonth(next.getUTCMonth() + 1);
  return { start, end: addDays(next.toISOString().slice(0, 10), -1) };
}

/** The period just before the one `day` is in. */
export function previousPeriod(period: PeriodName, day: string): PeriodRange {
  return periodOf(period, addDays(periodOf(period, day).start, -1));
}

export const PERIOD_WORDS: Record<PeriodName, { adjective: string; noun: string }> = {
  week: { adjective: 'weekly', noun: 'week' },
  month: { adjective: 'monthly', noun: 'month' },
};
