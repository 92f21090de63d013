// Authorization, a step of the route chain (src/web/route.ts): the route's access rule
// decides — let it through, send the visitor to sign in (pages: a redirect to /login with
// the way back; JSON: 401), or refuse the role (403).
import type { Context, Next } from 'koa';
import type { Services } from '../../services.ts';
import { AppError, Unauthorized } from '../../errors.ts';
import { decide, type Audience } from '../access.ts';
import { safeNext } from '../../auth/session-policy.ts';

const ROLE_WORDS: Record<string, string> = { member: 'members', manager: 'managers', admin: 'admins' };

export function enforceAccess(s: Services) {
  return async function guard(ctx: Context, next: Next): Promise<void> {
    const rule = ctx.state.rule;
    if (!rule) return next();
    const who = ctx.state.audience as Audience;
    const decision = decide(rule, who, s.settings().leaderboard_visibility === 'public');
    if (decision === 'allow') return next();
    if (decision === 'forbidden') {
      const forWhom = rule.allow.filter((a) => a in ROLE_WORDS).map((a) => ROLE_WORDS[a]).join(' and ');
      throw new AppError(403, 'forbidden_role', `This page is only for ${forWhom}; you are signed in as a ${who}.`);
    }
    if (rule.kind === 'api') throw new Unauthorized('sign in first (a session cookie or Authorization: Bearer <agent token>)');
    const target = loginUrl(ctx);
    if (ctx.get('hx-request')) {
      // htmx would swap the sign-in page into a fragment; tell it to load the page instead.
      ctx.status = 401;
      ctx.set('HX-Redirect', target);
      ctx.body = '';
      return;
    }
    ctx.status = ctx.method === 'GET' || ctx.method === 'HEAD' ? 302 : 303;
    ctx.redirect(target);
  };
}

function loginUrl(ctx: Context): string {
  let back = ctx.method === 'GET' || ctx.method === 'HEAD' ? ctx.originalUrl : '/';
  const current = ctx.get('hx-current-url');
  if (ctx.get('hx-request') && current) {
    try { back = new URL(current).pathname + new URL(current).search; } catch { back = '/'; }
  }
  const params = new URLSearchParams();
  const next = safeNext(back);
  if (next !== '/') params.set('next', next);
  if (ctx.state.signedOut === 'deactivated' || ctx.state.signedOut === 'expired' || ctx.state.signedOut === 'signed_out') params.set('reason', ctx.state.signedOut);
  const q = params.toString();
  return q ? `/login?${q}` : '/login';
}
