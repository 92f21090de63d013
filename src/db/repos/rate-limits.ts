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

export async function prune(q: Sql, before: number): Promise<number> {
  return q.run('DELETE FROM rate_limits WHERE window_start < ?', [before]);
}
