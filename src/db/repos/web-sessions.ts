// Signed-in sessions (web_sessions), shared by every replica. A row is keyed by the SHA-256
// of the cookie's random id, so the database (or a backup of it) holds no usable cookie.
import { num } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';

export async function get(q: Sql, idHash: string, now: number): Promise<string | null> {
  return (await one<{ data: string }>(q, 'SELECT data FROM web_sessions WHERE id_hash = ? AND expires_at > ?', [idHash, now]))?.data ?? null;
}

export async function put(q: Sql, idHash: string, userId: number | null, data: string, expiresAt: number, now: number): Promise<void> {
  await q.run(`INSERT INTO web_sessions (id_hash, user_id, data, expires_at, created_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (id_hash) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at`,
  [idHash, userId, data, expiresAt, now]);
}

export async function remove(q: Sql, idHash: string): Promise<void> {
  await q.run('DELETE FROM web_sessions WHERE id_hash = ?', [idHash]);
}

/**
 * Ends every session of a person (deactivation, "sign out everywhere"); returns how many.
 * The rows stay for a while as anonymous sessions that say why they ended, so the next
 * page can tell the person; nothing in them signs anyone in any more.
 */
export async function endOfUser(q: Sql, userId: number, reason: string, until: number): Promise<number> {
  return q.run('UPDATE web_sessions SET user_id = NULL, data = ?, expires_at = ? WHERE user_id = ?', [JSON.stringify({ ended: reason }), until, userId]);
}

export async function removeOfUser(q: Sql, userId: number): Promise<number> {
  return q.run('DELETE FROM web_sessions WHERE user_id = ?', [userId]);
}

export async function countOfUser(q: Sql, userId: number, now: number): Promise<number> {
  return num((await one<{ n: number }>(q, 'SELECT COUNT(*) AS n FROM web_sessions WHERE user_id = ? AND expires_at > ?', [userId, now]))?.n);
}

export async function prune(q: Sql, now: number): Promise<number> {
  return q.run('DELETE FROM web_sessions WHERE expires_at <= ?', [now]);
}
