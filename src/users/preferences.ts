// A person's own choices on /settings: hide me from the leaderboard, make my badge public,
// and revoking one of my own agent tokens.
import type { Db } from '../db/connect.ts';
import { NotFound } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { revokeTokenById } from './tokens.ts';

export interface Preferences {
  hidden: boolean;
  public_badge: boolean;
}

export async function getPreferences(db: Db, userId: number): Promise<Preferences> {
  const u = await db.models.User.findByPk(userId);
  if (!u) throw new NotFound('no such user');
  return { hidden: Boolean(u.hidden), public_badge: Boolean(u.public_badge) };
}

export async function setPreferences(db: Db, userId: number, prefs: Preferences, actor: Actor): Promise<Preferences> {
  const u = await db.models.User.findByPk(userId);
  if (!u) throw new NotFound('no such user');
  const before = { hidden: Boolean(u.hidden), public_badge: Boolean(u.public_badge) };
  await u.update({ hidden: prefs.hidden, public_badge: prefs.public_badge });
  if (before.hidden !== prefs.hidden || before.public_badge !== prefs.public_badge) {
    await audit(db, actor, 'user.preferences', u.login, { before, after: prefs });
  }
  return prefs;
}

/** Revokes a live token only if it belongs to this user; someone else's id is "not found". */
export async function revokeOwnToken(db: Db, userId: number, tokenId: number, actor: Actor): Promise<void> {
  const row = await db.models.AgentToken.findByPk(tokenId);
  if (!row || row.user_id !== userId || row.revoked_at) throw new NotFound('no such live token of yours');
  await revokeTokenById(db, tokenId, actor);
}
