// Admin actions on people: role changes, deactivation (revokes their tokens, ends their
// sessions on every replica and hides them from the pages), reactivation, and deletion
// with all their data. Every action is audited.
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import type { User } from '../db/repos/users.ts';
import * as tokens from '../db/repos/tokens.ts';
import { removeOfUser } from '../db/repos/web-sessions.ts';
import { endSessionsOf } from '../auth/session-store.ts';
import { deleteUsageOf } from '../db/repos/usage-write.ts';
import { bumpVersion } from '../db/repos/versions.ts';
import { BadInput, Forbidden } from '../errors.ts';
import { isRole, requireUser } from '../users/users.ts';
import { audit, type Actor } from './audit.ts';

export async function setRole(db: Db, login: string, role: string, actor: Actor): Promise<User> {
  if (!isRole(role)) throw new BadInput(`role: "${role}" is not a role; use member, manager or admin`);
  const user = await requireUser(db, login);
  if (user.id === actor.userId && role !== 'admin') throw new Forbidden('you cannot take away your own admin role; ask another admin');
  const before = user.role;
  if (before === role) return user;
  return db.transaction(async (tx) => {
    const after = await users.update(tx, user.id, { role });
    await audit(tx, actor, 'user.role', user.login, { before, after: role });
    return after!;
  });
}

/** Deactivates a person: they cannot sign in, their agent tokens stop working, their sessions end, pages hide them. */
export async function deactivateUser(db: Db, login: string, actor: Actor): Promise<{ revoked: number }> {
  const user = await requireUser(db, login);
  if (user.id === actor.userId) throw new Forbidden('you cannot deactivate yourself');
  return db.transaction(async (tx) => {
    await users.update(tx, user.id, { active: false });
    const revoked = await tokens.revokeOfUser(tx, user.id, undefined);
    const sessions = await endSessionsOf(tx, user.id, 'deactivated');
    await audit(tx, actor, 'user.deactivate', user.login, { tokens_revoked: revoked, sessions_ended: sessions });
    return { revoked };
  });
}

/** Reactivates a person; their old tokens stay revoked and old sessions stay ended (they sign in and create new ones). */
export async function reactivateUser(db: Db, login: string, actor: Actor): Promise<void> {
  const user = await requireUser(db, login);
  if (user.active) return;
  await db.transaction(async (tx) => {
    await users.update(tx, user.id, { active: true });
    await audit(tx, actor, 'user.reactivate', user.login, {});
  });
}

/** Deletes a person and everything recorded about them. `confirm` must repeat the login. */
export async function deleteUser(db: Db, login: string, confirm: string, actor: Actor): Promise<void> {
  const user = await requireUser(db, login);
  if (confirm !== user.login) throw new BadInput(`confirm: type the login "${user.login}" to delete this person and all their usage`);
  if (user.id === actor.userId) throw new Forbidden('you cannot delete yourself');
  // Through the writer: the usage rows go with the person, in line with ingest.
  await db.writer.transaction(async (tx) => {
    // Foreign keys cascade; explicit deletes keep this correct where they are off.
    await deleteUsageOf(tx, user.id);
    await tokens.removeOfUser(tx, user.id);
    await removeOfUser(tx, user.id);
    await users.remove(tx, user.id);
    await audit(tx, actor, 'user.delete', user.login, {});
    await bumpVersion(tx, 'usage');
  });
}

export interface UserListing {
  login: string;
  name: string | null;
  email: string | null;
  role: string;
  teams: string[];
  active: boolean;
  github: boolean;
  last_seen_at: Date | null;
  created_at: Date;
  live_tokens: number;
}

/** People for the admin's users page: a search over login, name and email (case-insensitive). */
export async function listUsers(db: Db, f: { q?: string | null; limit?: number } = {}): Promise<UserListing[]> {
  return (await users.search(db.sql, f.q ?? '', f.limit ?? 500)).map((u) => ({
    login: u.login, name: u.name, email: u.email, role: u.role, teams: u.teams, active: u.active,
    github: u.github_id !== null, last_seen_at: u.last_seen_at, created_at: u.created_at, live_tokens: u.live_tokens,
  }));
}
