// One-time sign-in links: local mode's only way in, and account recovery when GitHub is
// configured. A link holds 256 random bits; only their SHA-256 is stored, so the database
// (or a backup of it) cannot be used to sign in. A link works once, within 15 minutes.
import { createHash, randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { UserRecord } from '../db/models.ts';
import { audit, type Actor } from '../admin/audit.ts';

export const LINK_TTL_MS = 15 * 60_000;
/** The path a link points at; the code travels in the query string, which is never logged. */
export const LINK_PATH = '/login/link';

export type LinkProblem = 'unknown' | 'used' | 'expired' | 'deactivated';

export const LINK_PROBLEMS: Record<LinkProblem, string> = {
  unknown: 'This sign-in link is not valid. Ask an admin for a new one (tokenboard login-link LOGIN).',
  used: 'This sign-in link has already been used. Each link works once; ask an admin for a new one.',
  expired: 'This sign-in link has expired (links last 15 minutes). Ask an admin for a new one.',
  deactivated: 'This account is deactivated. Ask an admin to reactivate it.',
};

function hashCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** Where links point: server.base_url, else the address the server is reached at locally. */
export function linkBase(cfg: Config, fallback?: string): string {
  if (cfg.server.base_url) return cfg.server.base_url;
  if (fallback) return fallback;
  const host = cfg.server.host === '0.0.0.0' || cfg.server.host === '::' ? 'localhost' : cfg.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${cfg.server.port}`;
}

export interface LoginLink {
  url: string;
  expires_at: Date;
}

export async function createLoginLink(db: Db, user: UserRecord, base: string, actor: Actor, now = Date.now()): Promise<LoginLink> {
  const code = randomBytes(32).toString('base64url');
  const expires = now + LINK_TTL_MS;
  await db.sequelize.transaction(async (transaction) => {
    await db.sequelize.query(
      'INSERT INTO login_links (user_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)',
      { replacements: [user.id, hashCode(code), now, expires], type: QueryTypes.INSERT, transaction },
    );
    await audit(db, actor, 'user.login_link', user.login, { expires_at: new Date(expires).toISOString() }, transaction);
  });
  return { url: `${base.replace(/\/+$/, '')}${LINK_PATH}?code=${encodeURIComponent(code)}`, expires_at: new Date(expires) };
}

interface LinkRow { id: number; user_id: number; expires_at: number | string; used_at: number | string | null }

async function findLink(db: Db, code: string): Promise<LinkRow | null> {
  if (typeof code !== 'string' || code.length < 20 || code.length > 100) return null;
  const rows = await db.sequelize.query<LinkRow>(
    'SELECT id, user_id, expires_at, used_at FROM login_links WHERE code_hash = ?',
    { replacements: [hashCode(code)], type: QueryTypes.SELECT },
  );
  return rows[0] ?? null;
}

export type LinkCheck = { ok: true; user: UserRecord } | { ok: false; problem: LinkProblem };

async function check(db: Db, row: LinkRow | null, now: number): Promise<LinkCheck> {
  if (!row) return { ok: false, problem: 'unknown' };
  if (row.used_at !== null) return { ok: false, problem: 'used' };
  if (Number(row.expires_at) <= now) return { ok: false, problem: 'expired' };
  const user = await db.models.User.findByPk(row.user_id);
  if (!user) return { ok: false, problem: 'unknown' };
  if (!user.active) return { ok: false, problem: 'deactivated' };
  return { ok: true, user };
}

/** Says whose link this is without using it up (a link preview must not burn the link). */
export async function peekLoginLink(db: Db, code: string, now = Date.now()): Promise<LinkCheck> {
  return check(db, await findLink(db, code), now);
}

/** Uses the link up; exactly one of two simultaneous attempts succeeds. */
export async function consumeLoginLink(db: Db, code: string, now = Date.now()): Promise<LinkCheck> {
  const row = await findLink(db, code);
  const result = await check(db, row, now);
  if (!result.ok) return result;
  const [, changed] = await db.sequelize.query(
    'UPDATE login_links SET used_at = ? WHERE id = ? AND used_at IS NULL',
    { replacements: [now, row!.id], type: QueryTypes.UPDATE },
  );
  if (!changed) return { ok: false, problem: 'used' };
  return result;
}

/** Drops links that can no longer be used (housekeeping); used ones are kept a day for audit questions. */
export async function pruneLoginLinks(db: Db, now = Date.now()): Promise<void> {
  await db.sequelize.query('DELETE FROM login_links WHERE expires_at < ?', { replacements: [now - 86_400_000], type: QueryTypes.DELETE });
}
