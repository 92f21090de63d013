// Teams: GitHub teams arrive with sign-in (users.teams, read-only here); local teams are made
// by admins from the admin panel or `tokenboard team …` and hold whoever they add. A person's
// teams are the union of both (the users repository merges them), so the leaderboard's team
// filter, the team page, team budgets, the CSV and the API treat both kinds alike.
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import * as teamsRepo from '../db/repos/teams.ts';
import * as budgetsRepo from '../db/repos/budgets.ts';
import { isUniqueViolation } from '../db/dialect.ts';
import { AppError, BadInput, NotFound } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';

export type TeamSource = 'local' | 'github';

export interface Team {
  slug: string;
  name: string | null;
  source: TeamSource;
  /** Members' logins, sorted. */
  members: string[];
  /** Local teams: who made it, and when (ms). */
  created_by: string | null;
  created_at: number | null;
}

// GitHub's own slug shape (lower-case letters, digits, hyphens and underscores), so a local
// team reads like a GitHub one in URLs, filters and `--team`.
const SLUG_RE = /^[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9])?$/;

/** Why this cannot be a team slug (the message starts with the field), or null. */
export function slugProblem(slug: string): string | null {
  if (SLUG_RE.test(slug.toLowerCase())) return null;
  return `slug: "${slug}" is not a team slug (lower-case letters, digits, hyphens and underscores, at most 100 characters, starting and ending with a letter or digit)`;
}

function nameProblem(name: string | null): string | null {
  if (name !== null && (name.length > 200 || /[\p{Cc}\p{Cf}]/u.test(name))) return 'name: at most 200 printable characters';
  return null;
}

/** GitHub team slugs that active people are in, as sign-in synced them, with those people's logins. */
function githubTeamsOf(people: readonly users.User[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const u of people) {
    if (!u.active) continue;
    for (const t of u.github_teams) out.set(t, [...(out.get(t) ?? []), u.login]);
  }
  return out;
}

const githubSlugs = async (db: Db) => githubTeamsOf(await users.listActive(db.sql));

/** Every team: local ones with their members, and GitHub ones with their active members. */
export async function listTeams(db: Db): Promise<Team[]> {
  const [local, everyone] = await Promise.all([teamsRepo.list(db.sql), users.listAll(db.sql)]);
  const github = githubTeamsOf(everyone);
  const loginOf = new Map(everyone.map((u) => [u.id, u.login]));
  const out: Team[] = local.map((t) => ({
    slug: t.slug, name: t.name, source: 'local', created_by: t.created_by, created_at: t.created_at,
    members: t.member_ids.map((id) => loginOf.get(id)).filter((l): l is string => Boolean(l)).sort(byLogin),
  }));
  const localSlugs = new Set(local.map((t) => t.slug));
  for (const [slug, members] of github) {
    // A local team whose slug GitHub later also uses: one team by that slug, both member sets.
    if (localSlugs.has(slug)) {
      const t = out.find((x) => x.slug === slug)!;
      t.members = [...new Set([...t.members, ...members])].sort(byLogin);
      continue;
    }
    out.push({ slug, name: null, source: 'github', members: [...members].sort(byLogin), created_by: null, created_at: null });
  }
  return out.sort((a, b) => a.slug.localeCompare(b.slug));
}

const byLogin = (a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase());

/** The slugs a filter, a budget or a CSV can name: local teams (with or without members) and GitHub ones. */
export async function teamSlugs(db: Db): Promise<string[]> {
  return (await listTeams(db)).map((t) => t.slug);
}

export async function addTeam(db: Db, t: { slug: string; name?: string | null }, actor: Actor): Promise<Team> {
  const problem = slugProblem(t.slug ?? '') ?? nameProblem(t.name ?? null);
  if (problem) throw new BadInput(problem);
  const slug = t.slug.toLowerCase();
  const name = t.name?.trim() || null;
  if ((await githubSlugs(db)).has(slug)) {
    throw new AppError(409, 'team_is_github', `slug: "${slug}" is a GitHub team, synced at sign-in; its members change on GitHub`);
  }
  const exists = () => new AppError(409, 'team_exists', `slug: a team "${slug}" already exists`);
  try {
    await db.transaction(async (tx) => {
      if (await teamsRepo.bySlug(tx, slug)) throw exists();
      await teamsRepo.insert(tx, { slug, name, created_by: actor.login });
      await audit(tx, actor, 'team.add', slug, { name });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw exists();
    throw err;
  }
  return (await listTeams(db)).find((x) => x.slug === slug)!;
}

/** The local team by that slug, or why there is none (a GitHub team is refused: not edited by hand). */
async function localTeam(db: Db, slug: string): Promise<teamsRepo.TeamRow> {
  const team = await teamsRepo.bySlug(db.sql, String(slug ?? ''));
  if (team) return team;
  if ((await githubSlugs(db)).has(String(slug).toLowerCase())) {
    throw new AppError(409, 'team_is_github', `team: "${slug}" is a GitHub team, synced at sign-in; change its members on GitHub`);
  }
  throw new NotFound(`team: there is no team "${slug}" (see "tokenboard team list")`);
}

async function person(db: Db, login: string): Promise<users.User> {
  const u = await users.byLogin(db.sql, String(login ?? ''));
  if (!u) throw new NotFound(`login: nobody has the login "${login}"`);
  return u;
}

/** Puts someone in a local team or takes them out; `changed` is false when they already were (or were not) in it. */
async function changeMembership(db: Db, slug: string, login: string, actor: Actor, add: boolean): Promise<{ team: string; login: string; changed: boolean }> {
  const team = await localTeam(db, slug);
  const u = await person(db, login);
  const changed = await db.transaction(async (tx) => {
    const done = add ? await teamsRepo.addMember(tx, team.id, u.id) : await teamsRepo.removeMember(tx, team.id, u.id);
    if (done) await audit(tx, actor, add ? 'team.member_add' : 'team.member_remove', team.slug, { login: u.login });
    return done;
  });
  return { team: team.slug, login: u.login, changed };
}

/** Adds someone to a local team; `added` is false when they already were in it. */
export async function addMember(db: Db, slug: string, login: string, actor: Actor): Promise<{ team: string; login: string; added: boolean }> {
  const r = await changeMembership(db, slug, login, actor, true);
  return { team: r.team, login: r.login, added: r.changed };
}

/** Takes someone out of a local team; `removed` is false when they were not in it. */
export async function removeMember(db: Db, slug: string, login: string, actor: Actor): Promise<{ team: string; login: string; removed: boolean }> {
  const r = await changeMembership(db, slug, login, actor, false);
  return { team: r.team, login: r.login, removed: r.changed };
}

/** Deletes a local team (its memberships go with it; people and their usage stay). */
export async function removeTeam(db: Db, slug: string, actor: Actor): Promise<{ team: string; members: number }> {
  const team = await localTeam(db, slug);
  // A team budget would silently count nobody: say which budget to remove first.
  const budgets = (await budgetsRepo.list(db.sql)).filter((b) => b.scope === 'team' && b.team === team.slug).map((b) => b.id);
  if (budgets.length) {
    throw new AppError(409, 'team_has_budget', `team: "${team.slug}" has ${budgets.length === 1 ? 'a budget' : 'budgets'} (${budgets.map((id) => `#${id}`).join(', ')}); remove ${budgets.length === 1 ? 'it' : 'them'} first`);
  }
  await db.transaction(async (tx) => {
    await teamsRepo.remove(tx, team.id);
    await audit(tx, actor, 'team.remove', team.slug, { members: team.member_ids.length });
  });
  return { team: team.slug, members: team.member_ids.length };
}
