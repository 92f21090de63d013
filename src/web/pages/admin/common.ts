// What the admin-panel routes share: their access rule, who is acting (for the audit log),
// whether htmx asked, and turning a domain BadInput into an inline message on its field.
import type { Context } from 'koa';
import type { Actor } from '../../../admin/audit.ts';
import { AppError, Unauthorized } from '../../../errors.ts';
import { ADMINS, page } from '../../access.ts';

/** Every admin route's rule. */
export const ADMIN = page(ADMINS);

export function actorOf(ctx: Context): Actor {
  const user = ctx.state.user;
  if (!user) throw new Unauthorized();
  return { userId: user.id, login: user.login };
}

export const isHtmx = (ctx: Context): boolean => ctx.get('HX-Request') === 'true' && ctx.get('HX-History-Restore-Request') !== 'true';

export interface FieldError {
  /** The form field the message is about (the domain's messages start with it), or null. */
  field: string | null;
  message: string;
  /** The status the domain gave it (400 bad input, 403 refused, 404 no such thing, 409 conflict). */
  status: number;
}

/**
 * A validation error the domain raised (4xx AppError) as an inline message; anything else
 * is rethrown to the one error handler.
 */
export function inlineError(err: unknown): FieldError {
  if (!(err instanceof AppError) || err.status >= 500 || err.status === 401) throw err;
  const m = /^([a-z][a-z0-9_]*(?: id)?): /.exec(err.message);
  return { field: m ? m[1].replace(' ', '_') : null, message: err.message, status: err.status };
}

/** Redirect after a successful non-htmx POST (POST → 303 → GET keeps reloads harmless). */
export function seeOther(ctx: Context, to: string): void {
  ctx.status = 303;
  ctx.redirect(to);
}

/** Pages whose content depends on HX-Request vary on it, and admin pages are never cached. */
export function noStore(ctx: Context): void {
  ctx.vary('HX-Request');
  ctx.vary('HX-Target');
  ctx.set('Cache-Control', 'no-store');
}

export const SECTIONS = [
  { key: 'users', href: '/admin/users', label: 'Users' },
  { key: 'teams', href: '/admin/teams', label: 'Teams' },
  { key: 'tokens', href: '/admin/tokens', label: 'Agent tokens' },
  { key: 'prices', href: '/admin/prices', label: 'Prices' },
  { key: 'imports', href: '/admin/imports', label: 'Imports' },
  { key: 'budgets', href: '/admin/budgets', label: 'Budgets' },
  { key: 'alerts', href: '/admin/alerts', label: 'Alerts' },
  { key: 'settings', href: '/admin/settings', label: 'Settings' },
  { key: 'audit', href: '/admin/audit', label: 'Audit log' },
] as const;

export function adminNav(active: string) {
  return SECTIONS.map((s) => ({ ...s, active: s.key === active }));
}

/** 'Nov 24, 2026 10:00 UTC'-style text for a time, or null. */
export function when(d: Date | string | null | undefined): string | null {
  if (!d) return null;
  const t = new Date(d);
  return Number.isNaN(t.getTime()) ? null : `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
