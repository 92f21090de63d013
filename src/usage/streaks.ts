// Streaks and day series over a person's active days (calendar days in the org's time
// zone with at least one event). Pure functions over 'YYYY-MM-DD' strings.
import { addDays } from './days.ts';
import { weekStart } from './team.ts';

export interface Streaks {
  /** Consecutive active days ending today, or ending yesterday when today has nothing yet. */
  current: number;
  longest: number;
}

export function streaks(activeDays: string[], today: string): Streaks {
  const days = [...new Set(activeDays)].filter((d) => d <= today).sort();
  let longest = 0;
  let run = 0;
  let prev: string | null = null;
  for (const d of days) {
    run = prev !== null && addDays(prev, 1) === d ? run + 1 : 1;
    longest = Math.max(longest, run);
    prev = d;
  }
  // A streak is still alive until a whole day passes without activity: today may not
  // have started for this person yet.
  const set = new Set(days);
  let end = set.has(today) ? today : addDays(today, -1);
  let current = 0;
  while (set.has(end)) { current++; end = addDays(end, -1); }
  return { current, longest };
}

export interface DayValue {
  day: string;
  tokens: number;
  messages: number;
}

/** Every day from `from` to `to` inclusive, with zeros for days without usage. */
export function fillDays(rows: DayValue[], from: string, to: string): DayValue[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: DayValue[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(byDay.get(d) ?? { day: d, tokens: 0, messages: 0 });
  return out;
}

/** Sums days into weeks (Monday first); each point is labelled by its Monday. */
export function weekly(days: DayValue[]): DayValue[] {
  const out = new Map<string, DayValue>();
  for (const d of days) {
    const w = weekStart(d.day);
    const v = out.get(w) ?? { day: w, tokens: 0, messages: 0 };
    v.tokens += d.tokens;
    v.messages += d.messages;
    out.set(w, v);
  }
  return [...out.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}
