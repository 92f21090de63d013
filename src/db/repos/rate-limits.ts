// Rate-limit counters (rate_limits), for replicas sharing PostgreSQL.
import { num } from '../dialect.ts';
import type { Sql } from '../sql.ts';

/** Adds `by` hits to a bucket's window; returns the window's count afterwards. */
export async function add(q: Sql, bucket: string, windowStart: number, by: number): Promise<number> {
  const [r] = await q.all<{ hits: number }>(
    `INSERT INTO rate_limits AS l (bucket, window_start, hits) VALUES (?, ?, ?)
     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = l.hits + excluded.hits RETURNING hits`, [bucket, windowStart, by]);
  return num(r?.hits);
}

/**
 * The windows' counts of some buckets, read only (no row is written or locked: a check that
 * counts only failures must not make every request a write on a row all of one address's
 * requests share). Buckets without a row count 0.
 */
export async function read(q: Sql, buckets: string[], windowStart: number): Promise<number[]> {
  if (!buckets.length) return [];
  const rows = await q.all<{ bucket: string; hits: number }>(
    `SELECT bucket, hits FROM rate_limits WHERE window_start = ? AND bucket IN (${buckets.map(() => '?').join(', ')})`, [windowStart, ...buckets]);
  const by = new Map(rows.map((r) => [r.bucket, num(r.hits)]));
  return buckets.map((b) => by.get(b) ?? 0);
}

export async function prune(q: Sql, before: number): Promise<number> {
  return q.run('DELETE FROM rate_limits WHERE window_start < ?', [before]);
}
