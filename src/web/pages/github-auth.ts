// GitHub OAuth through passport (koa-passport's bridge): /auth/github sends the browser
// to GitHub with a random state kept in the session; the callback checks that state, trades
// the code for a token, and hands token and profile to the sign-in domain, which decides.
// Nothing here logs the code, the token or the query string.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { KoaPassport } from 'koa-passport';
import type { Services } from '../../services.ts';
import { githubConfigured } from '../../config.ts';
import { NotFound } from '../../errors.ts';
import { githubStrategy, type GithubGrant } from '../../auth/strategy.ts';
import { identityFromProfile, signInWithGithub, type Refusal } from '../../auth/github-signin.ts';
import { safeNext, type SessionData } from '../../auth/session-policy.ts';
import { page } from '../render.ts';
import { startSession } from '../sign-in.ts';

function refuse(ctx: Context, refusal: Refusal): Promise<void> {
  ctx.status = refusal.status;
  return page(ctx, 'pages/signin-refused.njk', { title: refusal.title, refusal });
}

const STATE_REFUSAL: Refusal = {
  code: 'bad_profile', status: 403, title: 'This sign-in could not be verified',
  message: 'The answer from GitHub did not match a sign-in started in this browser (it may have expired, or come from another tab or browser). Start again.',
};

export function githubAuthRouter(s: Services): Router {
  const router = new Router();
  const enabled = githubConfigured(s.cfg);
  const passport = new KoaPassport();
  if (enabled) passport.use('github', githubStrategy(s.cfg));
  const notConfigured = () => new NotFound('GitHub sign-in is not configured on this server; use a one-time sign-in link');

  router.get('/auth/github', async (ctx: Context, next: Next) => {
    if (!enabled) throw notConfigured();
    (ctx.session as SessionData).next = typeof ctx.query.next === 'string' ? safeNext(ctx.query.next) : '/';
    await passport.authenticate('github', { session: false })(ctx, next);
  });

  router.get('/auth/github/callback', async (ctx: Context, next: Next) => {
    if (!enabled) throw notConfigured();
    // A callback per request: koa-passport keeps the callback's promise hooks on it.
    await passport.authenticate('github', { session: false }, async (err: unknown, grant: GithubGrant | false) => {
      if (err) {
        s.log.warn('GitHub sign-in failed', { error: String((err as Error)?.name ?? 'error') });
        return refuse(ctx, { code: 'unavailable', status: 502, title: 'GitHub sign-in failed', message: 'GitHub did not complete the sign-in (the code may have expired or GitHub could not be reached). Start again.' });
      }
      if (!grant) {
        // passport failed without an error: the user cancelled, or the state did not match.
        if (ctx.query.error === 'access_denied') {
          return refuse(ctx, { code: 'bad_profile', status: 403, title: 'Sign-in cancelled', message: 'GitHub says the sign-in was cancelled. Start again when you are ready.' });
        }
        return refuse(ctx, STATE_REFUSAL);
      }
      const identity = identityFromProfile(grant.profile);
      if (!identity) return refuse(ctx, { code: 'bad_profile', status: 502, title: 'GitHub sign-in failed', message: 'GitHub sent a profile without an id or login. Try again.' });
      const result = await signInWithGithub(s, grant.token, identity);
      if (!result.ok) return refuse(ctx, result.refusal);
      const back = safeNext((ctx.session as SessionData | null)?.next);
      await startSession(ctx, result.user.id, 'github');
      ctx.status = 302;
      ctx.redirect(back);
    })(ctx, next);
  });

  return router;
}
