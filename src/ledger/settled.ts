// Settled days. Live usage arrives for today and yesterday (an agent flushes within seconds;
// a laptop opened the next morning sends last night's). Days before that change only
// through backfills (a first install's history, an offline machine), imports, re-pricing,
// rebuilds and deletions: those writes bump the `settled` data version as well as `usage`.
// So the sums of a window's settled days can be kept until `settled` moves, and a leaderboard
// after fresh usage reads only the live days beside them. A backfill is one person's: its
// move of `settled` names that person and days (settled_changes), and a reader re-reads
// only them; any other move re-reads everyone.
//
// The reader treats one more day as live than the writer: replicas' clocks and midnight in
// the configured zone may differ a little between the process that writes and the one that
// reads. A stale sum needs the writer's calendar a whole day behind the reader's.
import { addDays } from '../usage/days.ts';

/** Days a write may touch without bumping `settled`: today and yesterday, by the writer's calendar. */
const WRITER_LIVE_DAYS = 2;
/** Days a reader always reads fresh: today and the two before it. */
const READER_LIVE_DAYS = 3;

/** The settled days among those a write touched (writer's today): their first and last, or null. */
export function settledSpan(days: Iterable<string>, today: string): { first: string; last: string } | null {
  const live = addDays(today, -(WRITER_LIVE_DAYS - 1));
  let span: { first: string; last: string } | null = null;
  for (const d of days) {
    if (d >= live) continue;
    if (!span) span = { first: d, last: d };
    else if (d < span.first) span.first = d;
    else if (d > span.last) span.last = d;
  }
  return span;
}

/** The last day a reader (at `today`) may take from its cache of settled days. */
export function lastSettledDay(today: string): string {
  return addDays(today, -READER_LIVE_DAYS);
}
