// Sign-in state: one-time sign-in links (login_links, only the code's hash is stored) and
// each GitHub user's sealed OAuth token (github_tokens). Times are ms since the epoch.
import { num, numOrNull } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';

export interface LinkRow {
  id: number;
  user_id: number;
  expires_at: number;
  used_at: number | null;
}

export async function insertLink(q: Sql, userId: number, codeHash: string, createdAt: number, expiresAt: number): Promise<void> {
  await q.run('INSERT INTO login_links (user_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)', [userId, codeHash, createdAt, expiresAt]);
}

export async function linkByHash(q: Sql, codeHash: string): Promise<LinkRow | null> {
  const r = await one<Record<string, unknown>>(q, 'SELECT id, user_id, expires_at, used_at FROM login_links WHERE code_hash = ?', [codeHash]);
  return r ? { id: num(r.id), user_id: num(r.user_id), expires_at: num(r.expires_at), used_at: numOrNull(r.used_at) } : null;
}

/** Marks a link used; false when another request used it first. */
export async function useLink(q: Sql, id: number, at: number): Promise<boolean> {
  return (await q.run('UPDATE login_links SET used_at = ? WHERE id = ? AND used_at IS NULL', [at, id])) === 1;
}

export async function pruneLinks(q: Sql, before: number): Promise<number> {
  return q.run('DELETE FROM login_links WHERE expires_at < ?', [before]);
}

export async function saveGithubToken(q: Sql, userId: number, sealed: string, at: number): Promise<void> {
  await q.run(`INSERT INTO github_tokens (user_id, token_enc, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET token_enc = excluded.token_enc, updated_at = excluded.updated_at`, [userId, sealed, at]);
}

export async function githubToken(q: Sql, userId: number): Promise<string | null> {
  return (await one<{ token_enc: string }>(q, 'SELECT token_enc FROM github_tokens WHERE user_id = ?', [userId]))?.token_enc ?? null;
}

export async function forgetGithubToken(q: Sql, userId: number): Promise<void> {
  await q.run('DELETE FROM github_tokens WHERE user_id = ?', [userId]);
}
