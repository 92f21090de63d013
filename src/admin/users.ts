// Admin actions on people: role changes, deactivation (revokes their tokens and hides them
// from the pages), reactivation, and deletion with all their data. Every action is audited.
import { Op, QueryTypes } from 'sequelize';
import { parseTeams } from '../auth/current-user.ts';
import type { Db } from '../db/connect.ts';
import type { UserRecord } from '../db/models.ts';
import { BadInput, Forbidden } from '../errors.ts';
import { isRole, requireUser } from '../users/users.ts';
import { audit, type Actor } from './audit.ts';

export async function setRole(db: Db, login: string, role: string, actor: Actor): Promise<UserRecord> {
  if (!isRole(role)) throw new BadInput(`role: "${role}" is not a role; use member, manager or admin`);
  const user = await requireUser(db, login);
  if (user.id === actor.userId && role !== 'admin') throw new Forbidden('you cannot take away your own admin role; ask another admin');
  const before = user.role;
  if (before === role) return user;
  await db.sequelize.transaction(async (transaction) => {
    await user.update({ role }, { transaction });
    await audit(db, actor, 'user.role', user.login, { before, after: role }, transaction);
  });
  return user;
}

/** Deactivates a person: they cannot sign in, their agent tokens stop working, pages hide them. */
export async function deactivateUser(db: Db, login: string, actor: Actor): Promise<{ revoked: number }> {
  const user = await requireUser(db, login);
  if (user.id === actor.userId) throw new Forbidden('you cannot deactivate yourself');
  return db.sequelize.transaction(async (transaction) => {
    await user.update({ active: false }, { transaction });
    const [revoked] = await db.models.AgentToken.update({ revoked_at: new Date() }, { where: { user_id: user.id, revoked_at: { [Op.is]: null } }, transaction });
    await audit(db, actor, 'user.deactivate', user.login, { tokens_revoked: revoked }, transaction);
    return { revoked };
  });
}

/** Reactivates a person; their old tokens stay revoked (they create new ones). */
export async function reactivateUser(db: Db, login: string, actor: Actor): Promise<void> {
  const user = await requireUser(db, login);
  if (user.active) return;
  await db.sequelize.transaction(async (transaction) => {
    await user.update({ active: true }, { transaction });
    await audit(db, actor, 'user.reactivate', user.login, {}, transaction);
  });
}

/** Deletes a person and everything recorded about them. `confirm` must repeat the login. */
export async function deleteUser(db: Db, login: string, confirm: string, actor: Actor): Promise<void> {
  const user = await requireUser(db, login);
  if (confirm !== user.login) throw new BadInput(`confirm: type the login "${user.login}" to delete this person and all their usage`);
  if (user.id === actor.userId) throw new Forbidden('you cannot delete yourself');
  await db.sequelize.transaction(async (transaction) => {
    // Foreign keys cascade; explicit deletes keep this correct where they are off.
    for (const table of ['usage_events', 'daily_rollups', 'user_days', 'user_totals', 'sessions', 'skills', 'replay_records', 'agent_tokens']) {
      await db.sequelize.query(`DELETE FROM ${table} WHERE user_id = ?`, { replacements: [user.id], transaction });
    }
    await user.destroy({ transaction });
    await audit(db, actor, 'user.delete', user.login, {}, transaction);
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
  const q = (f.q ?? '').trim().toLowerCase();
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db.sequelize.query<{ id: number; login: string; name: string | null; email: string | null; role: string; teams: string; active: number | boolean; github_id: number | null; last_seen_at: string | null; created_at: string; live_tokens: number }>(
    `SELECT u.id, u.login, u.name, u.email, u.role, u.teams, u.active, u.github_id, u.last_seen_at, u.created_at,
            (SELECT COUNT(*) FROM agent_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS live_tokens
       FROM users u
      ${q ? "WHERE LOWER(u.login) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(u.name, '')) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(u.email, '')) LIKE ? ESCAPE '\\'" : ''}
      ORDER BY u.login_key LIMIT ?`,
    { replacements: q ? [like, like, like, f.limit ?? 500] : [f.limit ?? 500], type: QueryTypes.SELECT });
  return rows.map((r) => ({
    login: r.login, name: r.name, email: r.email, role: r.role, teams: parseTeams(r.teams), active: Boolean(Number(r.active)),
    github: r.github_id != null, last_seen_at: r.last_seen_at ? new Date(r.last_seen_at) : null, created_at: new Date(r.created_at), live_tokens: Number(r.live_tokens),
  }));
}
