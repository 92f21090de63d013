// The admin's users and tokens pages: exactly the fields the templates show.
import type { UserListing } from '../../../admin/users.ts';
import type { TokenWithOwner } from '../../../users/tokens.ts';
import { ROLES } from '../../../db/repos/users.ts';
import { when, type FieldError } from '../../pages/admin/common.ts';

export function presentUserRow(u: UserListing, viewerLogin: string, error: FieldError | null = null) {
  return {
    id: `user-${u.login}`,
    login: u.login,
    name: u.name,
    email: u.email,
    role: u.role,
    roles: ROLES.map((r) => ({ value: r, selected: r === u.role })),
    teams: u.teams,
    active: u.active,
    github: u.github,
    last_seen: when(u.last_seen_at),
    created: when(u.created_at),
    live_tokens: u.live_tokens,
    profile_href: `/u/${encodeURIComponent(u.login)}`,
    action: `/admin/users/${encodeURIComponent(u.login)}`,
    is_me: u.login.toLowerCase() === viewerLogin.toLowerCase(),
    error,
  };
}

export type UserRow = ReturnType<typeof presentUserRow>;

export function presentTokens(tokens: TokenWithOwner[]) {
  return tokens.map((t) => ({
    id: t.id,
    row_id: `token-${t.id}`,
    owner: t.owner,
    owner_href: `/u/${encodeURIComponent(t.owner)}`,
    owner_active: t.owner_active,
    name: t.name,
    created: when(t.created_at),
    last_used: when(t.last_used_at),
    revoked: t.revoked,
  }));
}
