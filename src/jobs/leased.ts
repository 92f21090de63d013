// Background work that must happen once per period across every replica (the daily import
// sync, later budget checks and digests): the process that takes the period's lease runs
// it and renews the lease while it works; the period is then marked done and never runs
// again. A process that dies mid-run leaves a lease that runs out, and the next replica to
// look takes the period over (the work itself must be safe to repeat, as imports are).
import type { Db } from '../db/connect.ts';
import * as leases from '../db/repos/leases.ts';

export type Outcome = 'ran' | 'not-due';

export interface LeaseOptions {
  owner: string;
  leaseMs: number;
}

export async function oncePerPeriod(db: Db, name: string, period: string, o: LeaseOptions, fn: () => Promise<void>): Promise<Outcome> {
  const now = Date.now();
  if (!(await leases.acquire(db.sql, name, period, o.owner, now, now + o.leaseMs))) return 'not-due';
  const renew = setInterval(() => {
    leases.acquire(db.sql, name, period, o.owner, Date.now(), Date.now() + o.leaseMs).catch(() => undefined);
  }, Math.max(200, Math.floor(o.leaseMs / 3)));
  renew.unref();
  try {
    await fn();
    await leases.finish(db.sql, name, period, o.owner, Date.now());
    return 'ran';
  } catch (err) {
    // Let the next look (here or on another replica) try again.
    await leases.release(db.sql, name, period, o.owner).catch(() => undefined);
    throw err;
  } finally {
    clearInterval(renew);
  }
}
