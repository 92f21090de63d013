// Roles from configuration: `auth.admins` and `auth.managers` name GitHub logins,
// `auth.manager_teams` names team slugs of the org. Config is a floor applied at each
// GitHub sign-in: it can raise a stored role but never lowers one, so a role an admin gave
// in the panel survives the next sign-in (demoting someone listed in config means taking
// them out of config first).
import type { Config } from '../config.ts';
import type { Role } from '../db/repos/users.ts';

const RANK: Record<Role, number> = { member: 0, manager: 1, admin: 2 };

export function configRole(cfg: Config, login: string, teams: readonly string[]): Role {
  const key = login.toLowerCase();
  const has = (list: readonly string[], v: string) => list.some((x) => x.toLowerCase() === v);
  if (has(cfg.auth.admins, key)) return 'admin';
  if (has(cfg.auth.managers, key)) return 'manager';
  if (teams.some((t) => has(cfg.auth.manager_teams, t.toLowerCase()))) return 'manager';
  return 'member';
}

export function higherRole(a: Role, b: Role): Role {
  return RANK[a] >= RANK[b] ? a : b;
}
