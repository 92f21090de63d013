// The signed-in person as pages and JSON routes see them (ctx.state.user): a plain object
// with exactly these fields, never the stored row, so nothing else (email, flags,
// timestamps) can leak into a template by accident.
import type { Role, User } from '../db/repos/users.ts';

export interface CurrentUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
  role: Role;
  teams: string[];
}

export function presentUser(u: User): CurrentUser {
  return { id: u.id, login: u.login, name: u.name, avatar_url: u.avatar_url, role: u.role, teams: u.teams };
}
