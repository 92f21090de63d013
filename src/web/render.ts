// Rendering a page: every template gets `user`, `csrf`, `nav` and `path` besides its own
// data, so the base layout can draw the navigation, the sign-out form, the CSRF meta tag
// and htmx's header. Page routes call page(ctx, template, data); the error handler's pages
// get the same context because withViewContext wraps ctx.state.render.
import type { Context, Next } from 'koa';
import type { CurrentUser } from '../auth/current-user.ts';
import { TRUST_LEGEND } from './presenters/trust.ts';

export interface NavItem {
  href: string;
  label: string;
  active: boolean;
}

const NAV: { href: string; label: string; roles: readonly string[] }[] = [
  { href: '/', label: 'Leaderboard', roles: ['member', 'manager', 'admin'] },
  { href: '/team', label: 'Team', roles: ['manager', 'admin'] },
  { href: '/admin', label: 'Admin', roles: ['admin'] },
  { href: '/settings', label: 'Settings', roles: ['member', 'manager', 'admin'] },
];

export function navFor(user: CurrentUser | null, path: string): NavItem[] {
  if (!user) return [];
  return NAV.filter((n) => n.roles.includes(user.role)).map((n) => ({
    href: n.href, label: n.label,
    active: n.href === '/' ? path === '/' || path.startsWith('/u/') : path === n.href || path.startsWith(`${n.href}/`) || path.startsWith(`${n.href}.`),
  }));
}

export function viewContext(ctx: Context): Record<string, unknown> {
  const user = (ctx.state.user ?? null) as CurrentUser | null;
  return { user, csrf: ctx.state.csrf ?? '', nav: navFor(user, ctx.path), path: ctx.path, trust_legend: TRUST_LEGEND };
}

/** Renders a full page (status as already set, 200 by default). */
export async function page(ctx: Context, template: string, data: Record<string, unknown> = {}): Promise<void> {
  const body = await ctx.state.render(template, data);
  ctx.type = 'html';
  ctx.body = body;
}

/** Makes ctx.state.render add the view context; mounted once, after the user is known. */
export function withViewContext() {
  return async function viewContextMiddleware(ctx: Context, next: Next): Promise<void> {
    const base = ctx.state.render as (t: string, d?: Record<string, unknown>) => Promise<string>;
    if (base) ctx.state.render = (template: string, data: Record<string, unknown> = {}) => base(template, { ...viewContext(ctx), ...data });
    await next();
  };
}
