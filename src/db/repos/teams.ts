// Local teams (teams, team_members): typed rows in and out. GitHub teams are not here: they
// live in users.teams, written by sign-in only. Every change bumps the `people` data version,
// since a person's teams are part of who they are on every page.
import { marks, num } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';
import { bumpVersion } from './versions.ts';

export interface TeamRow {
  id: number;
  slug: string;
  name: string | null;
  created_by: string;
  created_at: number;
  /** Members' user ids. */
  member_ids: number[];
}

export async function list(q: Sql): Promise<TeamRow[]> {
  const teams = await q.all<Record<string, unknown>>('SELECT id, slug, name, created_by, created_at FROM teams ORDER BY slug');
  const members = await q.all<{ team_id: number; user_id: number }>('SELECT team_id, user_id FROM team_members ORDER BY team_id, user_id');
  const byTeam = new Map<number, number[]>();
  for (const m of members) byTeam.set(num(m.team_id), [...(byTeam.get(num(m.team_id)) ?? []), num(m.user_id)]);
  return teams.map((t) => ({
    id: num(t.id), slug: String(t.slug), name: (t.name as string | null) ?? null, created_by: String(t.created_by),
    created_at: num(t.created_at), member_ids: byTeam.get(num(t.id)) ?? [],
  }));
}

export async function bySlug(q: Sql, slug: string): Promise<TeamRow | null> {
  return (await list(q)).find((t) => t.slug === slug.toLowerCase()) ?? null;
}

export async function insert(q: Sql, t: { slug: string; name: string | null; created_by: string }, now = Date.now()): Promise<number> {
  const r = await one<{ id: number }>(q, 'INSERT INTO teams (slug, name, created_by, created_at) VALUES (?,?,?,?) RETURNING id', [t.slug, t.name, t.created_by, now]);
  await bumpVersion(q, 'people');
  return num(r!.id);
}

export async function remove(q: Sql, id: number): Promise<void> {
  await q.run('DELETE FROM team_members WHERE team_id = ?', [id]);
  await q.run('DELETE FROM teams WHERE id = ?', [id]);
  await bumpVersion(q, 'people');
}

/** Adds a member; false when they already were one. */
export async function addMember(q: Sql, teamId: number, userId: number, now = Date.now()): Promise<boolean> {
  const rows = await q.all('INSERT INTO team_members (team_id, user_id, created_at) VALUES (?,?,?) ON CONFLICT (team_id, user_id) DO NOTHING RETURNING user_id', [teamId, userId, now]);
  if (rows.length) await bumpVersion(q, 'people');
  return rows.length > 0;
}

/** Removes a member; false when they were not one. */
export async function removeMember(q: Sql, teamId: number, userId: number): Promise<boolean> {
  const rows = await q.all('DELETE FROM team_members WHERE team_id = ? AND user_id = ? RETURNING user_id', [teamId, userId]);
  if (rows.length) await bumpVersion(q, 'people');
  return rows.length > 0;
}

/**
 * Local team slugs per person: for the given user ids, or everyone's when `ids` is null
 * (a listing of all people reads the small membership table once).
 */
export async function slugsByUser(q: Sql, ids: readonly number[] | null): Promise<Map<number, string[]>> {
  if (ids !== null && ids.length === 0) return new Map();
  const rows = await q.all<{ user_id: number; slug: string }>(
    `SELECT m.user_id, t.slug FROM team_members m JOIN teams t ON t.id = m.team_id
      ${ids === null ? '' : `WHERE m.user_id IN (${marks(ids.length)})`} ORDER BY t.slug`, ids ?? []);
  const out = new Map<number, string[]>();
  for (const r of rows) out.set(num(r.user_id), [...(out.get(num(r.user_id)) ?? []), String(r.slug)]);
  return out;
}
