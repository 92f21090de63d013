// The signed-in person as pages and JSON routes see them (ctx.state.user): a plain object
// with exactly these fields, never a Sequelize instance, so nothing else (email, flags,
// timestamps) can leak into a template by accident.
import type { Role, UserRecord } from '../db/models.ts';

export interface CurrentUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
  role: Role;
  teams: string[];
}

export function presentUser(u: UserRecord): CurrentUser {
  return { id: u.id, login: u.login, name: u.name ?? null, avatar_url: u.avatar_url ?? null, role: u.role, teams: parseTeams(u.teams) };
}

export function parseTeams(raw: string | null | undefined): string[] {
  try {
    const v = JSON.parse(raw ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
