// The admin's users and tokens pages: exactly the fields the templates show.
import type { UserListing } from '../../../admin/users.ts';
import type { BulkResult } from '../../../admin/people.ts';
import type { TokenWithOwner } from '../../../users/tokens.ts';
import { ROLES } from '../../../db/repos/users.ts';
import { when, type FieldError } from '../../pages/admin/common.ts';

/** What was just saved, shown (and said politely to screen readers) in that cell of the row. */
export interface RowSaved {
  cell: 'role' | 'status';
  text: string;
}

/** A row after an action: its inline refusal, or what was just saved. */
export function presentUserRow(u: UserListing, viewerLogin: string, error: FieldError | null = null, saved: RowSaved | null = null) {
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
    saved,
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

/** What the page hands over after adding someone or making a sign-in link (from a sealed flash). */
export interface Handover {
  login: string;
  /** true: just added; false: a new link for someone already there. */
  added: boolean;
  role: string;
  /** GitHub mode: no link, they sign in with GitHub. */
  github: boolean;
  url: string | null;
  /** ISO time the link stops working. */
  expires: string | null;
}

export function presentHandover(h: Handover) {
  return { ...h, expires: h.expires ? when(h.expires) : null, profile_href: `/u/${encodeURIComponent(h.login)}` };
}

export function presentBulk(r: BulkResult, github: boolean) {
  return {
    refused: r.problems.length > 0,
    problems: r.problems.map((p) => ({ line: p.line, text: p.text, message: p.message })),
    added: r.added.map((a) => ({ login: a.login, name: a.name, role: a.role, url: a.link?.url ?? null, expires: a.link ? when(a.link.expires_at) : null })),
    existing: r.existing,
    github,
  };
}

export type BulkView = ReturnType<typeof presentBulk>;
