// The alerts loop, on every server process, every alerts.check_seconds:
//  1. the budget check, when usage, prices, people or budgets changed since this process
//     last checked (the ledger bumps the `usage` version in every write transaction), or a
//     minute has passed — so an alert follows the usage that crossed a threshold within
//     seconds. One process at a time holds the check's lease; a second one checking would
//     be harmless (the notification's unique key decides), only wasted work.
//  2. the weekly digest, once its time has come (leased per week);
//  3. deliveries that are due (each leased by the process sending it).
import type { Services } from '../services.ts';
import * as leases from '../db/repos/leases.ts';
import { readVersions } from '../db/repos/versions.ts';
import { checkBudgets } from './budget-check.ts';
import { listBudgets } from '../budgets/budgets.ts';
import { digestIfDue, digestWeeks } from './digest.ts';
import { deliverDue } from './deliver.ts';

const CHECK_LEASE = 'alerts.budget-check';
const RECHECK_MS = 60_000;

export interface AlertsLoop {
  /** Runs one round now (tests, and after a change made in this process). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startAlerts(s: Services): AlertsLoop {
  let lastKey: string | null = null;
  let lastCheck = 0;
  let running: Promise<void> | null = null;
  let stopped = false;
  /** Whether this process took the check's lease (only then is there one to give back). */
  let holding = false;

  // Idle rounds only read: on SQLite every write waits for the one write lock, and a
  // quiet server should not take it every few seconds for nothing. Writes go through
  // db.transaction, never the shared reader connection, whose waiting would hold up reads.
  async function checkIfChanged(now: number): Promise<void> {
    const v = await readVersions(s.db.sql);
    const key = `${v.usage}.${v.prices}.${v.people}.${v.budgets}`;
    if (key === lastKey && now - lastCheck < RECHECK_MS) return;
    if ((await listBudgets(s.db)).length > 0) {
      holding = await s.db.transaction((tx) => leases.acquire(tx, CHECK_LEASE, '', s.instance, now, now + s.leaseMs));
      if (!holding) {
        lastKey = null; // another process checks; if this one takes over later, it looks at once
        return;
      }
      await s.refreshSettings();
      await checkBudgets(s, now);
    }
    lastKey = key;
    lastCheck = now;
  }

  /** The week whose digest needs nothing more from this process, and when digest destinations were last looked for. */
  let digestDone: string | null = null;
  let noDestinationAt = 0;
  async function digest(now: number): Promise<void> {
    const monday = digestWeeks(s.calendar().dayOf(now)).monday;
    if (monday === digestDone || now - noDestinationAt < RECHECK_MS) return;
    const state = await digestIfDue(s, now);
    if (state === 'sent' || state === 'done') digestDone = monday;
    noDestinationAt = state === 'no-destination' ? now : 0;
  }

  async function round(): Promise<void> {
    const now = Date.now();
    await checkIfChanged(now).catch((err) => s.log.warn('budget check failed', { error: String((err as Error)?.message ?? err).slice(0, 300) }));
    await digest(now).catch((err) => s.log.warn('weekly digest failed', { error: String((err as Error)?.message ?? err).slice(0, 300) }));
    if (stopped) return;
    await deliverDue(s).catch((err) => s.log.warn('alert delivery failed', { error: String((err as Error)?.message ?? err).slice(0, 300) }));
  }

  const tick = () => {
    running ??= round().finally(() => { running = null; });
    return running;
  };
  const timer = setInterval(() => { if (!stopped) void tick(); }, s.cfg.alerts.check_seconds * 1000);
  timer.unref();
  // The first round comes one interval after start, not during it: a server starting up
  // (and its daily-sync lease) has enough to do with the database at that moment.
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      // Another process may take the check over at once instead of after the lease.
      if (holding) await s.db.transaction((tx) => leases.release(tx, CHECK_LEASE, '', s.instance)).catch(() => undefined);
    },
  };
}
