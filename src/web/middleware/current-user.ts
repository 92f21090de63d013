// Who is asking, re-read from the database on every request so a role change or a
// deactivation takes effect at once. Session cookies are checked for idle and absolute
// expiry; GitHub accounts get their org membership re-checked when it is due. Sets
// ctx.state.user / audience / authVia / csrf; open routes never touch the session.
import type { Context, Next } from 'koa';
import type { Services } from '../../services.ts';
import { presentUser } from '../../auth/current-user.ts';
import { recheckMembership } from '../../auth/membership.ts';
import { judgeSession, newCsrfToken, SEEN_GRANULARITY_MS, type SessionData } from '../../auth/session-policy.ts';
import type { Refusal } from '../../auth/github-signin.ts';
import * as users from '../../db/repos/users.ts';
import type { User } from '../../db/repos/users.ts';
import { findByBearer } from '../../users/tokens.ts';
import { Unauthorized } from '../../errors.ts';
import { page } from '../render.ts';
import { endSession } from '../sign-in.ts';

export function currentUser(s: Services) {
  async function admit(ctx: Context, user: User, via: 'session' | 'bearer', now: number): Promise<Refusal | null> {
    const re = await recheckMembership(s, user, now);
    if (!re.ok) return re.refusal;
    if (re.unavailable) s.log.warn('membership re-check postponed: GitHub unavailable', { user_id: user.id, detail: re.unavailable });
    ctx.state.user = presentUser(user);
    ctx.state.audience = user.role;
    ctx.state.authVia = via;
    return null;
  }

  return async function loadUser(ctx: Context, next: Next): Promise<void> {
    ctx.state.user = null;
    ctx.state.audience = 'anonymous';
    ctx.state.authVia = null;
    ctx.state.csrf = '';
    const rule = ctx.state.rule;
    if (rule?.kind === 'open') return next();
    const now = Date.now();

    const bearer = rule?.kind === 'api' ? /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization')) : null;
    if (bearer) {
      // Scripts call the JSON API with an agent token instead of a cookie.
      const hit = await findByBearer(s.db, s.sealer, bearer[1]);
      const user = hit ? await users.byId(s.db.sql, hit.user_id) : null;
      if (!user || !user.active) throw new Unauthorized('the Bearer token is not a live agent token', 'bad_token');
      const refused = await admit(ctx, user, 'bearer', now);
      if (refused) throw new Unauthorized(refused.message, refused.code);
      await next();
      ctx.set('Cache-Control', 'no-store');
      return;
    }

    const sess = (ctx.session ?? {}) as SessionData;
    const verdict = judgeSession(sess, now);
    if (sess.ended) {
      // Ended from elsewhere (deactivated, or "sign out everywhere" on another device).
      ctx.state.signedOut = sess.ended;
      endSession(ctx);
    } else if (verdict === 'idle' || verdict === 'expired') {
      endSession(ctx);
      ctx.state.signedOut = 'expired';
    } else if (verdict === 'valid') {
      const user = await users.byId(s.db.sql, sess.uid!);
      if (!user) {
        endSession(ctx);
      } else if (!user.active) {
        endSession(ctx);
        ctx.state.audience = 'deactivated';
        ctx.state.signedOut = 'deactivated';
      } else {
        const refused = await admit(ctx, user, 'session', now);
        if (refused) {
          endSession(ctx);
          ctx.state.signedOut = refused;
          // Removed from the org (or SSO revoked): say so, whatever was asked for. A token
          // GitHub stopped accepting only needs a new sign-in, which the guard will ask for.
          if (refused.code !== 'token_invalid') {
            if (rule?.kind === 'api') throw new Unauthorized(refused.message, refused.code);
            ctx.status = refused.status;
            return page(ctx, 'pages/signin-refused.njk', { title: refused.title, refusal: refused });
          }
        } else if (now - (sess.seen ?? 0) > SEEN_GRANULARITY_MS) {
          sess.seen = now;
          await users.touchSeen(s.db.sql, user.id, new Date(now));
        }
      }
    }
    const current = (ctx.session ?? {}) as SessionData;
    if (!current.csrf && rule?.kind === 'page') current.csrf = newCsrfToken();
    ctx.state.csrf = current.csrf ?? '';
    try {
      await next();
    } finally {
      // Personal pages (and forms carrying a CSRF token) must not be kept by the browser
      // or any cache in between.
      if (ctx.state.user || ctx.state.csrf) ctx.set('Cache-Control', 'no-store');
    }
  };
}
