// Leases on background work (job_leases): one row per job name and period. The process
// holding an unexpired lease runs the job; a lease that runs out (its process died) can
// be taken by another; a period marked done is never run again.
import { num, numOrNull } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';

/** True when `owner` holds the lease of (name, period) until `until`. */
export async function acquire(q: Sql, name: string, period: string, owner: string, now: number, until: number): Promise<boolean> {
  const n = await q.run(
    `INSERT INTO job_leases (name, period, owner, lease_until, done_at) VALUES (?, ?, ?, ?, NULL)
     ON CONFLICT (name, period) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
      WHERE job_leases.done_at IS NULL AND (job_leases.lease_until < ? OR job_leases.owner = excluded.owner)`,
    [name, period, owner, until, now]);
  return n === 1;
}

export async function finish(q: Sql, name: string, period: string, owner: string, now: number): Promise<void> {
  await q.run('UPDATE job_leases SET done_at = ?, lease_until = ? WHERE name = ? AND period = ? AND owner = ?', [now, now, name, period, owner]);
}

/** Gives a lease up without finishing (the job failed; another try may come). */
export async function release(q: Sql, name: string, period: string, owner: string): Promise<void> {
  await q.run('UPDATE job_leases SET lease_until = 0 WHERE name = ? AND period = ? AND owner = ? AND done_at IS NULL', [name, period, owner]);
}

export async function state(q: Sql, name: string, period: string): Promise<{ owner: string; lease_until: number; done_at: number | null } | null> {
  const r = await one<Record<string, unknown>>(q, 'SELECT owner, lease_until, done_at FROM job_leases WHERE name = ? AND period = ?', [name, period]);
  return r ? { owner: String(r.owner), lease_until: num(r.lease_until), done_at: numOrNull(r.done_at) } : null;
}

/** Old finished periods are history nobody reads. */
export async function prune(q: Sql, before: number): Promise<number> {
  return q.run('DELETE FROM job_leases WHERE done_at IS NOT NULL AND done_at < ?', [before]);
}
