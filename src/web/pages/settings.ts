// /settings: the signed-in person's agent tokens, agent set-up and proxy lines, and the
// leaderboard/badge toggles. Plain forms (POST → 303 → GET) so it all works without JS and
// a reload never repeats an action. A new token travels from the POST to the page in a
// sealed flash (src/web/flash.ts): shown once, never in a URL, never stored in plain text.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { BadInput, Unauthorized } from '../../errors.ts';
import { createToken, listTokens } from '../../users/tokens.ts';
import { getPreferences, revokeOwnToken, setPreferences, signOutEverywhere } from '../../users/preferences.ts';
import { requireUser } from '../../users/users.ts';
import { page } from '../render.ts';
import { setFlash, takeFlash } from '../flash.ts';
import { presentSettings } from '../presenters/settings.ts';
import { baseUrl } from './profile.ts';
import { inlineError, type FieldError } from './admin/common.ts';

const NOTICES: Record<string, string> = { revoked: 'Token revoked: agents using it can no longer send usage.', saved: 'Settings saved.' };
const NEW_TOKEN = 'settings.token';

function me(ctx: Context) {
  const user = ctx.state.user;
  if (!user) throw new Unauthorized();
  return user;
}

const form = (ctx: Context) => ctx.state.form ?? new URLSearchParams();

export function settingsRouter(s: Services): Router {
  const router = new Router();
  const show = async (ctx: Context, refused: { error: FieldError; draft: string } | null = null) => {
    const user = me(ctx);
    const [tokens, prefs] = await Promise.all([listTokens(s.db, user.id), getPreferences(s.db, user.id)]);
    const notice = typeof ctx.query.done === 'string' ? NOTICES[ctx.query.done] ?? null : null;
    const created = refused ? null : takeFlash<{ name: string; token: string }>(ctx, s, NEW_TOKEN);
    // The page may hold a secret shown once: never store it in any cache.
    ctx.set('Cache-Control', 'no-store');
    await page(ctx, 'pages/settings.njk', {
      title: 'Settings',
      settings: presentSettings({ baseUrl: baseUrl(s, ctx), userId: user.id, login: user.login, tokens, prefs, created, notice, tokenError: refused?.error, tokenDraft: refused?.draft }),
    });
  };

  router.get('/settings', (ctx: Context) => show(ctx));

  router.post('/settings/tokens', async (ctx: Context) => {
    const user = me(ctx);
    const typed = form(ctx).get('name') ?? '';
    let created;
    try {
      created = await createToken(s.db, s.sealer, await requireUser(s.db, user.login), typed.trim() || 'default', { userId: user.id, login: user.login });
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      return show(ctx, { error, draft: typed });
    }
    setFlash(ctx, s, NEW_TOKEN, { name: created.name, token: created.token });
    ctx.status = 303;
    ctx.redirect('/settings#setup');
  });

  router.post('/settings/tokens/:id/revoke', async (ctx: Context) => {
    const user = me(ctx);
    const id = Number(ctx.params.id);
    if (!Number.isInteger(id) || id < 1) throw new BadInput('id: a token id');
    await revokeOwnToken(s.db, user.id, id, { userId: user.id, login: user.login });
    ctx.status = 303;
    ctx.redirect('/settings?done=revoked');
  });

  router.post('/settings/preferences', async (ctx: Context) => {
    const user = me(ctx);
    const f = form(ctx);
    // Unchecked checkboxes are simply absent from the form.
    await setPreferences(s.db, user.id, { hidden: f.get('hidden') === 'on', public_badge: f.get('public_badge') === 'on' }, { userId: user.id, login: user.login });
    ctx.status = 303;
    ctx.redirect('/settings?done=saved#privacy');
  });

  // Ends every session of this person on every replica (a lost laptop, a shared machine).
  router.post('/settings/sign-out-everywhere', async (ctx: Context) => {
    const user = me(ctx);
    await signOutEverywhere(s.db, user.id, { userId: user.id, login: user.login });
    ctx.session = null;
    ctx.status = 303;
    ctx.redirect('/login?reason=signed_out');
  });
  return router;
}
