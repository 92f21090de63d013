// The weekly digest: every Monday at 09:00 org time (one replica sends it: the week's lease
// in jobs/leased.ts, and the event's key `digest:<monday>` besides), or now with
// `tokenboard digest --send`. It covers the last whole week, Monday to Sunday, against the
// week before.
import type { Services } from '../services.ts';
import * as users from '../db/repos/users.ts';
import type { PersonSums } from '../db/repos/usage-read.ts';
import { personSums } from '../ledger/read.ts';
import { unknownModels } from '../pricing/inbox.ts';
import { listBudgets } from '../budgets/budgets.ts';
import { budgetStatuses } from '../budgets/spend.ts';
import { periodOf, type PeriodRange } from '../budgets/period.ts';
import { addDays, type DayCalendar } from '../usage/days.ts';
import { dayStartMs } from '../usage/zone.ts';
import { oncePerPeriod } from '../jobs/leased.ts';
import * as leases from '../db/repos/leases.ts';
import * as alerts from '../db/repos/alerts.ts';
import { buildDigest, type Digest } from './digest-content.ts';
import { enqueue, type Enqueued } from './events.ts';
import { pageUrl } from './payload.ts';

export const DIGEST_JOB = 'alerts.weekly-digest';
const SEND_HOUR = 9;

/** The Monday of the week `today` is in, the whole week before it and the one before that. */
export function digestWeeks(today: string): { monday: string; week: PeriodRange; previous: PeriodRange } {
  const monday = periodOf('week', today).start;
  return { monday, week: periodOf('week', addDays(monday, -1)), previous: periodOf('week', addDays(monday, -8)) };
}

/** When this week's digest is due: Monday 09:00 in the org's time zone. */
export function digestDueAt(today: string, calendar: DayCalendar): number {
  return dayStartMs(digestWeeks(today).monday, calendar) + SEND_HOUR * 3_600_000;
}

const asMap = (rows: PersonSums[]) => new Map(rows.map((r) => [r.user_id, r]));

export async function weeklyDigest(s: Services, now = Date.now()): Promise<Digest> {
  const today = s.calendar().dayOf(now);
  const { week, previous } = digestWeeks(today);
  const [people, thisWeek, before, unknown, budgets] = await Promise.all([
    users.listActive(s.db.sql), personSums(s.db, { from: week.start, to: week.end }), personSums(s.db, { from: previous.start, to: previous.end }),
    unknownModels(s.db), listBudgets(s.db),
  ]);
  return buildDigest({
    week, previous, orgName: s.settings().name,
    people: people.map((u) => ({ id: u.id, login: u.login, name: u.name, hidden: u.hidden })),
    now: asMap(thisWeek), before: asMap(before), unknownModels: unknown,
    // Budgets as they stand now, in their current periods.
    budgets: await budgetStatuses(s.db, budgets, today),
  });
}

/**
 * Decides a digest: the scheduled one of the week of `monday` once, or (without it) an
 * extra one now. Returns the event and its deliveries, or null when this week's was sent.
 */
export async function sendDigest(s: Services, o: { monday?: string; now?: number } = {}): Promise<{ digest: Digest; sent: Enqueued | null }> {
  const now = o.now ?? Date.now();
  const digest = await weeklyDigest(s, now);
  const key = o.monday ? `digest:${o.monday}` : `digest:now:${now}:${Math.random().toString(36).slice(2, 10)}`;
  const url = pageUrl({ orgName: s.settings().name, baseUrl: s.cfg.server.base_url }, '/team?window=7d');
  const sent = await s.db.transaction((tx) => enqueue(tx, { type: 'digest.weekly', dedup_key: key, kind: 'digest', fields: { digest, url } }, now));
  return { digest, sent };
}

export type DigestState = 'not-yet' | 'no-destination' | 'sent' | 'done';

/**
 * From the loop: this week's digest, once its time has come (a replica started late on
 * Monday catches up). 'done' and 'sent' mean nothing more is to be done this week.
 */
export async function digestIfDue(s: Services, now = Date.now()): Promise<DigestState> {
  const today = s.calendar().dayOf(now);
  if (now < digestDueAt(today, s.calendar())) return 'not-yet';
  const { monday } = digestWeeks(today);
  // Done for this week (the usual case), or nobody to send it to: reads, not writes, say
  // so (on SQLite a write waits for the one write lock). A destination added later in the
  // week gets that week's digest then.
  if ((await leases.state(s.db.sql, DIGEST_JOB, monday))?.done_at) return 'done';
  if (!(await alerts.destinations(s.db.sql)).some((d) => d.events.includes('digest'))) return 'no-destination';
  return (await oncePerPeriod(s.db, DIGEST_JOB, monday, { owner: s.instance, leaseMs: s.leaseMs }, async () => { await sendDigest(s, { monday, now }); })) === 'ran' ? 'sent' : 'done';
}
