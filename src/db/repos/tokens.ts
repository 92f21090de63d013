// Agent tokens (agent_tokens): sealed secrets, a keyed lookup hash for bearer use, revocation.
import { bool, date, dateOrNull, num, type Statement } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';

export interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  secret_enc: string;
  lookup_hash: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, user_id, name, secret_enc, lookup_hash, created_at, last_used_at, revoked_at';

function toToken(r: Record<string, unknown>): TokenRow {
  return {
    id: num(r.id), user_id: num(r.user_id), name: String(r.name), secret_enc: String(r.secret_enc), lookup_hash: (r.lookup_hash as string | null) ?? null,
    created_at: date(r.created_at), last_used_at: dateOrNull(r.last_used_at), revoked_at: dateOrNull(r.revoked_at),
  };
}

export async function insert(q: Sql, t: { user_id: number; name: string; secret_enc: string; lookup_hash: string }, now = new Date()): Promise<TokenRow> {
  const [row] = await q.all<Record<string, unknown>>(
    `INSERT INTO agent_tokens (user_id, name, secret_enc, lookup_hash, created_at) VALUES (?,?,?,?,?) RETURNING ${COLUMNS}`,
    [t.user_id, t.name, t.secret_enc, t.lookup_hash, now]);
  return toToken(row);
}

export async function byId(q: Sql, id: number): Promise<TokenRow | null> {
  const r = await one<Record<string, unknown>>(q, `SELECT ${COLUMNS} FROM agent_tokens WHERE id = ?`, [id]);
  return r ? toToken(r) : null;
}

export async function ofUser(q: Sql, userId?: number): Promise<TokenRow[]> {
  const rows = userId === undefined
    ? await q.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM agent_tokens ORDER BY id`)
    : await q.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM agent_tokens WHERE user_id = ? ORDER BY id`, [userId]);
  return rows.map(toToken);
}

/** Revokes a user's live tokens (those named `name`, or all); returns how many. */
export async function revokeOfUser(q: Sql, userId: number, name: string | undefined, at = new Date()): Promise<number> {
  return name === undefined
    ? q.run('UPDATE agent_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [at, userId])
    : q.run('UPDATE agent_tokens SET revoked_at = ? WHERE user_id = ? AND name = ? AND revoked_at IS NULL', [at, userId, name]);
}

export async function revoke(q: Sql, id: number, at = new Date()): Promise<number> {
  return q.run('UPDATE agent_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id]);
}

export async function touchUsed(q: Sql, id: number, at: Date): Promise<void> {
  const w = touchUsedWrite(id, at);
  await q.run(w.text, w.params);
}

/** touchUsed as a statement, to run together with others (see `together` in dialect.ts). */
export function touchUsedWrite(id: number, at: Date): Statement {
  return { text: 'UPDATE agent_tokens SET last_used_at = ? WHERE id = ?', params: [at, id] };
}

/** Live tokens of an active user: the sealed secrets an ingest signature is checked against. */
export async function liveOfActiveUser(q: Sql, userId: number): Promise<{ id: number; secret_enc: string; last_used_at: Date | null }[]> {
  const rows = await q.all<{ id: number; secret_enc: string; last_used_at: unknown }>(
    `SELECT t.id, t.secret_enc, t.last_used_at FROM agent_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.user_id = ? AND t.revoked_at IS NULL AND u.active = ?`, [userId, true]);
  return rows.map((r) => ({ id: num(r.id), secret_enc: r.secret_enc, last_used_at: dateOrNull(r.last_used_at) }));
}

/** Live tokens of active users with this lookup hash (a bearer token's). */
export async function liveByLookup(q: Sql, hash: string): Promise<{ id: number; user_id: number; secret_enc: string }[]> {
  const rows = await q.all<{ id: number; user_id: number; secret_enc: string }>(
    `SELECT t.id, t.user_id, t.secret_enc FROM agent_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.lookup_hash = ? AND t.revoked_at IS NULL AND u.active = ?`, [hash, true]);
  return rows.map((r) => ({ id: num(r.id), user_id: num(r.user_id), secret_enc: r.secret_enc }));
}

export async function withoutLookup(q: Sql): Promise<{ id: number; secret_enc: string }[]> {
  const rows = await q.all<{ id: number; secret_enc: string }>('SELECT id, secret_enc FROM agent_tokens WHERE lookup_hash IS NULL');
  return rows.map((r) => ({ id: num(r.id), secret_enc: r.secret_enc }));
}

export async function setLookup(q: Sql, id: number, hash: string): Promise<void> {
  await q.run('UPDATE agent_tokens SET lookup_hash = ? WHERE id = ?', [hash, id]);
}

export interface TokenWithOwnerRow extends TokenRow {
  owner: string;
  owner_active: boolean;
}

/** Every token with its owner, live ones first (admin panel). */
export async function withOwners(q: Sql): Promise<TokenWithOwnerRow[]> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT t.id, t.user_id, t.name, t.secret_enc, t.lookup_hash, t.created_at, t.last_used_at, t.revoked_at, u.login, u.active
       FROM agent_tokens t JOIN users u ON u.id = t.user_id
      ORDER BY CASE WHEN t.revoked_at IS NULL THEN 0 ELSE 1 END, u.login_key, t.id`);
  return rows.map((r) => ({ ...toToken(r), owner: String(r.login), owner_active: bool(r.active) }));
}

export async function countLive(q: Sql): Promise<number> {
  return num((await one<{ n: number }>(q, 'SELECT COUNT(*) AS n FROM agent_tokens WHERE revoked_at IS NULL'))?.n);
}

/** People whose agents have sent something and who still hold a live token. */
export async function usersWithUsedTokens(q: Sql): Promise<number[]> {
  return (await q.all<{ user_id: number }>('SELECT DISTINCT user_id FROM agent_tokens WHERE revoked_at IS NULL AND last_used_at IS NOT NULL')).map((r) => num(r.user_id));
}

export async function removeOfUser(q: Sql, userId: number): Promise<void> {
  await q.run('DELETE FROM agent_tokens WHERE user_id = ?', [userId]);
}
