// A person's own choices on /settings: hide me from the leaderboard, make my badge public,
// revoking one of my own agent tokens, and signing out everywhere.
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import { endSessionsOf } from '../auth/session-store.ts';
import { NotFound } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { revokeTokenById } from './tokens.ts';

export interface Preferences {
  hidden: boolean;
  public_badge: boolean;
}

export async function getPreferences(db: Db, userId: number): Promise<Preferences> {
  const u = await users.byId(db.sql, userId);
  if (!u) throw new NotFound('no such user');
  return { hidden: u.hidden, public_badge: u.public_badge };
}

export async function setPreferences(db: Db, userId: number, prefs: Preferences, actor: Actor): Promise<Preferences> {
  return db.transaction(async (tx) => {
    const u = await users.byId(tx, userId);
    if (!u) throw new NotFound('no such user');
    const before = { hidden: u.hidden, public_badge: u.public_badge };
    if (before.hidden === prefs.hidden && before.public_badge === prefs.public_badge) return prefs;
    await users.update(tx, userId, { hidden: prefs.hidden, public_badge: prefs.public_badge });
    await audit(tx, actor, 'user.preferences', u.login, { before, after: prefs });
    return prefs;
  });
}

/** Revokes a live token only if it belongs to this user; someone else's id is "not found". */
export async function revokeOwnToken(db: Db, userId: number, tokenId: number, actor: Actor): Promise<void> {
  await revokeTokenById(db, tokenId, actor, userId);
}

/** Ends every session of this person, on every replica (the current one included). */
export async function signOutEverywhere(db: Db, userId: number, actor: Actor): Promise<number> {
  return db.transaction(async (tx) => {
    const n = await endSessionsOf(tx, userId, 'signed_out');
    await audit(tx, actor, 'user.sign_out_everywhere', actor.login, { sessions: n });
    return n;
  });
}
