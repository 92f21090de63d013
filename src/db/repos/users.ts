// People (the users table): typed rows in, typed rows out. Every change bumps the
// `people` data version, so caches on every replica see it (src/db/repos/versions.ts).
import { bool, date, dateOrNull, ilike, jsonList, marks, num, numOrNull } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';
import { bumpVersion } from './versions.ts';
import { slugsByUser } from './teams.ts';

export type Role = 'member' | 'manager' | 'admin';
export const ROLES: readonly Role[] = ['member', 'manager', 'admin'];

export interface User {
  id: number;
  github_id: number | null;
  login: string;
  login_key: string;
  name: string | null;
  email: string | null;
  avatar_url: string | null;
  role: Role;
  /** Every team the person is in: GitHub's (synced at sign-in) and local ones (made by admins), by slug. */
  teams: string[];
  /** The GitHub team slugs alone, as the last sign-in synced them. */
  github_teams: string[];
  active: boolean;
  hidden: boolean;
  public_badge: boolean;
  /** Made by `user add --github`: the first GitHub sign-in with this login may claim it. */
  link_github: boolean;
  last_seen_at: Date | null;
  membership_checked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type UserFields = Omit<User, 'id' | 'created_at' | 'updated_at' | 'github_teams'>;
/** `teams` writes the GitHub teams (sign-in's sync); local teams change through repos/teams.ts. */
export type UserPatch = Partial<Omit<UserFields, 'teams'>> & { teams?: readonly string[] };

const COLUMNS = 'id, github_id, login, login_key, name, email, avatar_url, role, teams, active, hidden, public_badge, link_github, last_seen_at, membership_checked_at, created_at, updated_at';

function toUser(r: Record<string, unknown>): User {
  const github = jsonList(r.teams);
  return {
    id: num(r.id), github_id: numOrNull(r.github_id), login: String(r.login), login_key: String(r.login_key),
    name: (r.name as string | null) ?? null, email: (r.email as string | null) ?? null, avatar_url: (r.avatar_url as string | null) ?? null,
    role: String(r.role) as Role, teams: github, github_teams: github, active: bool(r.active), hidden: bool(r.hidden),
    public_badge: bool(r.public_badge), link_github: bool(r.link_github),
    last_seen_at: dateOrNull(r.last_seen_at), membership_checked_at: dateOrNull(r.membership_checked_at),
    created_at: date(r.created_at), updated_at: date(r.updated_at),
  };
}

/** Adds each person's local teams to their GitHub ones (`all`: read every membership once). */
async function withLocalTeams<T extends User>(q: Sql, people: T[], all = false): Promise<T[]> {
  if (!people.length) return people;
  const local = await slugsByUser(q, all ? null : people.map((u) => u.id));
  for (const u of people) {
    const mine = local.get(u.id);
    if (mine) u.teams = [...new Set([...u.github_teams, ...mine])].sort();
  }
  return people;
}

const withTeams = async (q: Sql, u: User | null): Promise<User | null> => (u ? (await withLocalTeams(q, [u]))[0] : null);

function encode(k: keyof UserPatch, v: unknown): unknown {
  return k === 'teams' ? JSON.stringify(v ?? []) : v;
}

async function first(q: Sql, where: string, params: unknown[]): Promise<User | null> {
  const r = await one<Record<string, unknown>>(q, `SELECT ${COLUMNS} FROM users WHERE ${where}`, params);
  return withTeams(q, r ? toUser(r) : null);
}

export const byId = (q: Sql, id: number) => first(q, 'id = ?', [id]);
/** Logins are case-insensitive: found by their lower-cased key. */
export const byLogin = (q: Sql, login: string) => first(q, 'login_key = ?', [String(login).toLowerCase()]);
export const byGithubId = (q: Sql, githubId: number) => first(q, 'github_id = ?', [githubId]);

export interface NewUserRow {
  login: string;
  role: Role;
  name?: string | null;
  email?: string | null;
  avatar_url?: string | null;
  github_id?: number | null;
  teams?: string[];
  link_github?: boolean;
  last_seen_at?: Date | null;
  membership_checked_at?: Date | null;
}

export async function insert(q: Sql, u: NewUserRow, now = new Date()): Promise<User> {
  const [row] = await q.all<Record<string, unknown>>(
    `INSERT INTO users (github_id, login, login_key, name, email, avatar_url, role, teams, active, hidden, public_badge, link_github,
                        last_seen_at, membership_checked_at, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING ${COLUMNS}`,
    [u.github_id ?? null, u.login, u.login.toLowerCase(), u.name ?? null, u.email ?? null, u.avatar_url ?? null, u.role,
      JSON.stringify(u.teams ?? []), true, false, false, Boolean(u.link_github), u.last_seen_at ?? null, u.membership_checked_at ?? null, now, now]);
  await bumpVersion(q, 'people');
  // A new person is in no local team yet: nothing to merge.
  return toUser(row);
}

/** Changes some fields of one person; returns the row as stored. */
export async function update(q: Sql, id: number, patch: UserPatch, now = new Date()): Promise<User | null> {
  const keys = Object.keys(patch) as (keyof UserPatch)[];
  const sets = [...keys.map((k) => `${k} = ?`), 'updated_at = ?'];
  const rows = await q.all<Record<string, unknown>>(`UPDATE users SET ${sets.join(', ')} WHERE id = ? RETURNING ${COLUMNS}`,
    [...keys.map((k) => encode(k, patch[k])), now, id]);
  await bumpVersion(q, 'people');
  return withTeams(q, rows[0] ? toUser(rows[0]) : null);
}

/** The time of a person's latest request: no version bump (pages do not show it live). */
export async function touchSeen(q: Sql, id: number, at: Date): Promise<void> {
  await q.run('UPDATE users SET last_seen_at = ? WHERE id = ?', [at, id]);
}

export async function remove(q: Sql, id: number): Promise<void> {
  await q.run('DELETE FROM users WHERE id = ?', [id]);
  await bumpVersion(q, 'people');
}

export async function count(q: Sql, active?: boolean): Promise<number> {
  const r = await one<{ n: number }>(q, `SELECT COUNT(*) AS n FROM users${active === undefined ? '' : ' WHERE active = ?'}`, active === undefined ? [] : [active]);
  return num(r?.n);
}

/** Active people, by login. */
export async function listActive(q: Sql): Promise<User[]> {
  return withLocalTeams(q, (await q.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM users WHERE active = ? ORDER BY login_key`, [true])).map(toUser), true);
}

/** Everyone, by login (copy-db's comparison, exports). */
export async function listAll(q: Sql): Promise<User[]> {
  return withLocalTeams(q, (await q.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM users ORDER BY id`)).map(toUser), true);
}

export async function byIds(q: Sql, ids: number[]): Promise<User[]> {
  if (ids.length === 0) return [];
  return withLocalTeams(q, (await q.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM users WHERE id IN (${marks(ids.length)})`, ids)).map(toUser));
}

/** Active people with an email, lower-cased email → id (imports map people by email). */
export async function activeEmails(q: Sql): Promise<Map<string, number>> {
  const rows = await q.all<{ id: number; email: string }>('SELECT id, email FROM users WHERE email IS NOT NULL AND active = ?', [true]);
  return new Map(rows.map((r) => [r.email.toLowerCase(), num(r.id)]));
}

/**
 * Active people linked to a GitHub account (signed in with GitHub, or added with --github
 * to be linked at their first sign-in): by GitHub user id and by lower-cased login.
 */
export async function githubLinked(q: Sql): Promise<{ byId: Map<number, number>; byLogin: Map<string, { id: number; github_id: number | null }> }> {
  const rows = await q.all<{ id: number; login_key: string; github_id: number | null }>(
    'SELECT id, login_key, github_id FROM users WHERE active = ? AND (github_id IS NOT NULL OR link_github = ?)', [true, true]);
  const byId = new Map<number, number>();
  const byLogin = new Map<string, { id: number; github_id: number | null }>();
  for (const r of rows) {
    const githubId = numOrNull(r.github_id);
    if (githubId !== null) byId.set(githubId, num(r.id));
    byLogin.set(r.login_key, { id: num(r.id), github_id: githubId });
  }
  return { byId, byLogin };
}

export interface UserListing extends User {
  live_tokens: number;
}

/** People for the admin's users page: a search over login, name and email (case-insensitive). */
export async function search(q: Sql, text: string, limit: number): Promise<UserListing[]> {
  const needle = text.trim().toLowerCase();
  const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = needle
    ? `WHERE ${ilike(q.dialect, 'u.login')} OR ${ilike(q.dialect, "COALESCE(u.name, '')")} OR ${ilike(q.dialect, "COALESCE(u.email, '')")}`
    : '';
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${COLUMNS.split(', ').map((c) => `u.${c}`).join(', ')},
            (SELECT COUNT(*) FROM agent_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS live_tokens
       FROM users u ${where} ORDER BY u.login_key LIMIT ?`, needle ? [like, like, like, limit] : [limit]);
  return withLocalTeams(q, rows.map((r) => ({ ...toUser(r), live_tokens: num(r.live_tokens) })));
}
