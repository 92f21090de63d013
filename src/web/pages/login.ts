// Sign-in pages: /login (GitHub button or, in local mode, how to get a one-time link and how
// to configure GitHub), one-time links (/login/link: GET shows whose link it is, POST uses
// it — a link preview in a chat app must not burn it), and POST /logout.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { githubConfigured } from '../../config.ts';
import { consumeLoginLink, LINK_PROBLEMS, peekLoginLink, type LinkProblem } from '../../auth/login-links.ts';
import { safeNext } from '../../auth/session-policy.ts';
import { callbackUrl } from '../../auth/strategy.ts';
import { page } from '../render.ts';
import { startSession } from '../sign-in.ts';
import { touchSeen } from '../../db/repos/users.ts';

const LINK_STATUS: Record<LinkProblem, number> = { unknown: 404, used: 410, expired: 410, deactivated: 403 };
const REASONS: Record<string, string> = {
  expired: 'Your session has ended. Sign in again.',
  deactivated: 'Your account is deactivated. Ask an admin to reactivate it.',
  signed_out: 'You are signed out.',
};

function query(ctx: Context, name: string): string {
  const v = ctx.query[name];
  return typeof v === 'string' ? v : '';
}

export function loginRouter(s: Services): Router {
  const router = new Router();
  const github = githubConfigured(s.cfg);

  router.get('/login', async (ctx: Context) => {
    const next = safeNext(query(ctx, 'next'));
    if (ctx.state.user) return ctx.redirect(next);
    await page(ctx, 'pages/login.njk', {
      title: 'Sign in', github, org: s.cfg.github.org, next: next === '/' ? '' : next,
      notice: REASONS[query(ctx, 'reason')] ?? null,
      callbackUrl: callbackUrl(s.cfg).startsWith('/') ? `${ctx.protocol}://${ctx.host}${callbackUrl(s.cfg)}` : callbackUrl(s.cfg),
    });
  });

  router.get('/login/link', async (ctx: Context) => {
    const code = query(ctx, 'code');
    const found = await peekLoginLink(s.db, code);
    ctx.set('Referrer-Policy', 'no-referrer');
    if (!found.ok) {
      ctx.status = LINK_STATUS[found.problem];
      return page(ctx, 'pages/login-link.njk', { title: 'Sign-in link', problem: LINK_PROBLEMS[found.problem] });
    }
    await page(ctx, 'pages/login-link.njk', { title: 'Sign-in link', code, login: found.user.login, signedInAs: ctx.state.user?.login ?? null });
  });

  router.post('/login/link', async (ctx: Context) => {
    const used = await consumeLoginLink(s.db, ctx.state.form?.get('code') ?? '');
    if (!used.ok) {
      ctx.status = LINK_STATUS[used.problem];
      return page(ctx, 'pages/login-link.njk', { title: 'Sign-in link', problem: LINK_PROBLEMS[used.problem] });
    }
    await startSession(ctx, used.user.id, 'link');
    await touchSeen(s.db.sql, used.user.id, new Date());
    ctx.status = 303;
    ctx.redirect('/');
  });

  router.post('/logout', async (ctx: Context) => {
    ctx.session = null;
    ctx.status = 303;
    ctx.redirect('/login?reason=signed_out');
  });

  return router;
}
