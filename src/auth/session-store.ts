// Where signed-in sessions live: a table every replica shares (koa-session's external
// store). The cookie carries only a random id; logging out deletes the row, so a copied
// cookie is dead everywhere at once, and deactivating a person deletes all of theirs.
import { createHash } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import type { Sql } from '../db/sql.ts';
import * as sessions from '../db/repos/web-sessions.ts';
import { ABSOLUTE_MS, IDLE_MS, type SessionData } from './session-policy.ts';

/** A visitor who never signed in keeps a CSRF token (and OAuth state) this long. */
export const ANONYMOUS_MS = 24 * 3600_000;

const idHash = (key: string) => createHash('sha256').update(key).digest('hex');

/** When a session's row stops being valid: the earlier of idle and absolute expiry. */
export function expiresAt(data: SessionData, now: number): number {
  if (typeof data.uid !== 'number') return now + ANONYMOUS_MS;
  const created = typeof data.created === 'number' ? data.created : now;
  const seen = typeof data.seen === 'number' ? data.seen : now;
  return Math.min(created + ABSOLUTE_MS, seen + IDLE_MS);
}

export function sessionStore(db: Db) {
  return {
    async get(key: string): Promise<SessionData | undefined> {
      const raw = await sessions.get(db.sql, idHash(key), Date.now());
      if (raw === null) return undefined;
      try { return JSON.parse(raw) as SessionData; } catch { return undefined; }
    },
    async set(key: string, data: SessionData): Promise<void> {
      const now = Date.now();
      await sessions.put(db.sql, idHash(key), typeof data.uid === 'number' ? data.uid : null, JSON.stringify(data), expiresAt(data, now), now);
    },
    async destroy(key: string): Promise<void> {
      await sessions.remove(db.sql, idHash(key));
    },
  };
}

/** Ends every signed-in session of a person on every replica, saying why at their next request. */
export function endSessionsOf(q: Sql, userId: number, reason: 'deactivated' | 'signed_out', now = Date.now()): Promise<number> {
  return sessions.endOfUser(q, userId, reason, now + ANONYMOUS_MS);
}

/** Housekeeping: rows past their expiry. */
export function pruneSessions(db: Db, now = Date.now()): Promise<number> {
  return sessions.prune(db.sql, now);
}
