// One-time sign-in links: local mode's only way in, and account recovery when GitHub is
// configured. A link holds 256 random bits; only their SHA-256 is stored, so the database
// (or a backup of it) cannot be used to sign in. A link works once, within 15 minutes.
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import type { User } from '../db/repos/users.ts';
import * as auth from '../db/repos/auth.ts';
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

export async function createLoginLink(db: Db, user: User, base: string, actor: Actor, now = Date.now()): Promise<LoginLink> {
  const code = randomBytes(32).toString('base64url');
  const expires = now + LINK_TTL_MS;
  await db.transaction(async (tx) => {
    await auth.insertLink(tx, user.id, hashCode(code), now, expires);
    await audit(tx, actor, 'user.login_link', user.login, { expires_at: new Date(expires).toISOString() });
  });
  return { url: `${base.replace(/\/+$/, '')}${LINK_PATH}?code=${encodeURIComponent(code)}`, expires_at: new Date(expires) };
}

async function findLink(db: Db, code: string): Promise<auth.LinkRow | null> {
  if (typeof code !== 'string' || code.length < 20 || code.length > 100) return null;
  return auth.linkByHash(db.sql, hashCode(code));
}

export type LinkCheck = { ok: true; user: User } | { ok: false; problem: LinkProblem };

async function check(db: Db, row: auth.LinkRow | null, now: number): Promise<LinkCheck> {
  if (!row) return { ok: false, problem: 'unknown' };
  if (row.used_at !== null) return { ok: false, problem: 'used' };
  if (row.expires_at <= now) return { ok: false, problem: 'expired' };
  const user = await users.byId(db.sql, row.user_id);
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
  if (!(await auth.useLink(db.sql, row!.id, now))) return { ok: false, problem: 'used' };
  return result;
}

/** Drops links that can no longer be used (housekeeping); used ones are kept a day for audit questions. */
export async function pruneLoginLinks(db: Db, now = Date.now()): Promise<void> {
  await auth.pruneLinks(db.sql, now - 86_400_000);
}
