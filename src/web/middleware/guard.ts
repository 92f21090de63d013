// Authorization in one place: find the route a request will reach, look it up in the access
// table (src/web/access.ts), and let it through, send the visitor to sign in (pages: a
// redirect to /login with the way back; JSON: 401), or refuse the role (403).
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Services } from '../../services.ts';
import { AppError, Unauthorized } from '../../errors.ts';
import { decide, ruleFor, type Audience, type Rule } from '../access.ts';
import { matchRoute } from '../routes.ts';
import { safeNext } from '../../auth/session-policy.ts';

/** Sets ctx.state.rule for the route this request reaches; a route missing from the table is an error, never open. */
export function resolveRoute(routers: readonly Router[]) {
  return async function routeRule(ctx: Context, next: Next): Promise<void> {
    const keys = matchRoute(routers, ctx.method, ctx.path);
    ctx.state.rule = undefined;
    if (keys.length) {
      const rules = keys.map((k) => {
        const r = ruleFor(k);
        if (!r) throw new AppError(500, 'route_not_in_access_table', `route ${k} has no entry in src/web/access.ts`, false);
        return r;
      });
      ctx.state.rule = combine(rules);
    }
    await next();
  };
}

/** Several routes for one request (rare): all of them must allow it. */
function combine(rules: Rule[]): Rule {
  if (rules.length === 1) return rules[0];
  return {
    kind: rules[0].kind,
    allow: rules[0].allow.filter((a) => rules.every((r) => r.allow.includes(a))),
    publicWith: rules.every((r) => r.publicWith === 'leaderboard') ? 'leaderboard' : undefined,
  };
}

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
