// /settings: the signed-in person's agent tokens, agent set-up and proxy lines, and the
// leaderboard/badge toggles. Plain forms (POST → 303 → GET) so it all works without JS and
// a reload never repeats an action. A new token travels from the POST to the page in a
// sealed flash (src/web/flash.ts): shown once, never in a URL, never stored in plain text.
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { Unauthorized } from '../../errors.ts';
import { createToken, listTokens } from '../../users/tokens.ts';
import { getPreferences, revokeOwnToken, setPreferences, signOutEverywhere } from '../../users/preferences.ts';
import { requireUser } from '../../users/users.ts';
import { MEMBERS, page as pageRule } from '../access.ts';
import { FORM } from '../body.ts';
import { route } from '../route.ts';
import { checkbox, id, oneOf, request, text } from '../schema.ts';
import { page } from '../render.ts';
import { setFlash, takeFlash } from '../flash.ts';
import { presentSettings } from '../presenters/settings.ts';
import { baseUrl } from './profile.ts';
import { inlineError, seeOther, type FieldError } from './admin/common.ts';
import { budgetsOfPerson } from '../../budgets/views.ts';
import { presentBudgetLines } from '../presenters/budgets.ts';

const NOTICES = { revoked: 'Token revoked: agents using it can no longer send usage.', saved: 'Settings saved.' } as const;
const DONE = ['revoked', 'saved'] as const;
const NEW_TOKEN = 'settings.token';

function me(ctx: Context) {
  const user = ctx.state.user;
  if (!user) throw new Unauthorized();
  return user;
}

const members = pageRule(MEMBERS);

export function settingsRoutes(s: Services) {
  const show = async (ctx: Context, done: (typeof DONE)[number] | null, refused: { error: FieldError; draft: string } | null = null) => {
    const user = me(ctx);
    const [tokens, prefs, budgets] = await Promise.all([listTokens(s.db, user.id), getPreferences(s.db, user.id), budgetsOfPerson(s, user)]);
    const created = refused ? null : takeFlash<{ name: string; token: string }>(ctx, s, NEW_TOKEN);
    // The page may hold a secret shown once: never store it in any cache.
    ctx.set('Cache-Control', 'no-store');
    await page(ctx, 'pages/settings.njk', {
      title: 'Settings',
      budget_lines: presentBudgetLines(budgets),
      settings: presentSettings({ baseUrl: baseUrl(s, ctx), userId: user.id, login: user.login, tokens, prefs, created, notice: done ? NOTICES[done] : null, tokenError: refused?.error, tokenDraft: refused?.draft }),
    });
  };

  return [
    route({
      method: 'GET', path: '/settings', access: members, input: request({ query: { done: oneOf(DONE) } }),
      handler: (ctx: Context, { query }) => show(ctx, query.done),
    }),
    route({
      method: 'POST', path: '/settings/tokens', access: members, body: FORM, input: request({ body: { name: text(500) } }),
      async handler(ctx: Context, { body }) {
        const user = me(ctx);
        let created;
        try {
          created = await createToken(s.db, s.sealer, await requireUser(s.db, user.login), body.name ?? 'default', { userId: user.id, login: user.login });
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          return show(ctx, null, { error, draft: body.name ?? '' });
        }
        setFlash(ctx, s, NEW_TOKEN, { name: created.name, token: created.token });
        seeOther(ctx, '/settings#setup');
      },
    }),
    route({
      method: 'POST', path: '/settings/tokens/:id/revoke', access: members, body: FORM, input: request({ params: { id } }),
      async handler(ctx: Context, { params }) {
        const user = me(ctx);
        await revokeOwnToken(s.db, user.id, params.id, { userId: user.id, login: user.login });
        seeOther(ctx, '/settings?done=revoked');
      },
    }),
    route({
      method: 'POST', path: '/settings/preferences', access: members, body: FORM,
      // Unchecked checkboxes are simply absent from the form.
      input: request({ body: { hidden: checkbox, public_badge: checkbox } }),
      async handler(ctx: Context, { body }) {
        const user = me(ctx);
        await setPreferences(s.db, user.id, { hidden: body.hidden, public_badge: body.public_badge }, { userId: user.id, login: user.login });
        seeOther(ctx, '/settings?done=saved#privacy');
      },
    }),
    // Ends every session of this person on every replica (a lost laptop, a shared machine).
    route({
      method: 'POST', path: '/settings/sign-out-everywhere', access: members, body: FORM,
      async handler(ctx: Context) {
        const user = me(ctx);
        await signOutEverywhere(s.db, user.id, { userId: user.id, login: user.login });
        ctx.session = null;
        seeOther(ctx, '/login?reason=signed_out');
      },
    }),
  ];
}
