// Sign-in pages: /login (GitHub button or, in local mode, how to get a one-time link and how
// to configure GitHub), one-time links (/login/link: GET shows whose link it is, POST uses
// it — a link preview in a chat app must not burn it), and POST /logout.
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { githubConfigured } from '../../config.ts';
import { consumeLoginLink, LINK_PROBLEMS, peekLoginLink, type LinkProblem } from '../../auth/login-links.ts';
import { safeNext } from '../../auth/session-policy.ts';
import { callbackUrl } from '../../auth/strategy.ts';
import { touchSeen } from '../../db/repos/users.ts';
import { EVERYONE, page as pageRule } from '../access.ts';
import { FORM } from '../body.ts';
import { route } from '../route.ts';
import { raw, request, text } from '../schema.ts';
import { countFailure, rateLimit } from '../middleware/rate-limit.ts';
import { page } from '../render.ts';
import { startSession } from '../sign-in.ts';
import { seeOther } from './admin/common.ts';

const LINK_STATUS: Record<LinkProblem, number> = { unknown: 404, used: 410, expired: 410, deactivated: 403 };
const REASONS: Record<string, string> = {
  expired: 'Your session has ended. Sign in again.',
  deactivated: 'Your account is deactivated. Ask an admin to reactivate it.',
  signed_out: 'You are signed out.',
};

const anyone = pageRule(EVERYONE);
// A code is 43 characters of base64url; anything longer is not one (and not worth a lookup).
const code = raw(200);

export function loginRoutes(s: Services) {
  const github = githubConfigured(s.cfg);
  const linkProblem = (ctx: Context, problem: LinkProblem) => {
    ctx.status = LINK_STATUS[problem];
    return page(ctx, 'pages/login-link.njk', { title: 'Sign-in link', problem: LINK_PROBLEMS[problem] });
  };
  return [
    route({
      method: 'GET', path: '/login', access: anyone,
      // `reason` words the notice; an unknown one shows none (old bookmarks keep working).
      input: request({ query: { next: raw(2000), reason: text(32) } }),
      async handler(ctx: Context, { query }) {
        const next = safeNext(query.next);
        if (ctx.state.user) return ctx.redirect(next);
        await page(ctx, 'pages/login.njk', {
          title: 'Sign in', github, org: s.cfg.github.org, next: next === '/' ? '' : next,
          notice: (query.reason && Object.hasOwn(REASONS, query.reason) ? REASONS[query.reason] : null),
          callbackUrl: callbackUrl(s.cfg).startsWith('/') ? `${ctx.protocol}://${ctx.host}${callbackUrl(s.cfg)}` : callbackUrl(s.cfg),
        });
      },
    }),
    route({
      method: 'GET', path: '/login/link', access: anyone, input: request({ query: { code } }),
      async handler(ctx: Context, { query }) {
        ctx.set('Referrer-Policy', 'no-referrer');
        const found = await peekLoginLink(s.db, query.code);
        if (!found.ok) return linkProblem(ctx, found.problem);
        await page(ctx, 'pages/login-link.njk', { title: 'Sign-in link', code: query.code, login: found.user.login, signedInAs: ctx.state.user?.login ?? null });
      },
    }),
    route({
      method: 'POST', path: '/login/link', access: anyone, before: [rateLimit(s, 'sign-in-link')], body: FORM,
      input: request({ body: { code } }),
      async handler(ctx: Context, { body }) {
        const used = await consumeLoginLink(s.db, body.code);
        if (!used.ok) {
          // Guessing codes is what the limit is for; using a good link never counts.
          await countFailure(s, ctx, 'sign-in-link');
          return linkProblem(ctx, used.problem);
        }
        await startSession(ctx, used.user.id, 'link');
        await touchSeen(s.db.sql, used.user.id, new Date());
        seeOther(ctx, '/');
      },
    }),
    route({
      method: 'POST', path: '/logout', access: anyone, body: FORM,
      handler(ctx: Context) {
        ctx.session = null;
        seeOther(ctx, '/login?reason=signed_out');
      },
    }),
  ];
}
