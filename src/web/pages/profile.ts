// GET /u/:login: a profile for a window (full page, or the #profile fragment when htmx
// switches the window); /u/:login/badge.svg and card.svg for sharing.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { NotFound } from '../../errors.ts';
import { priceTable } from '../../pricing/store.ts';
import { badgeFigures } from '../../usage/badge.ts';
import { canSeeProfile, findPerson, profile } from '../../usage/profile.ts';
import { windowRange, type WindowName } from '../../usage/window.ts';
import { compact } from '../format.ts';
import { renderShape } from '../fragments.ts';
import { parseWindow } from '../presenters/board-state.ts';
import { WINDOW_PHRASES } from '../presenters/leaderboard.ts';
import { presentProfile } from '../presenters/profile.ts';
import { badgeEmbed } from '../presenters/badge-embed.ts';
import { badgeSvg } from '../svg/badge.ts';
import { cardSvg } from '../svg/card.ts';

const BADGE_WINDOW: Record<WindowName, string> = { today: 'today', '7d': '7d', '30d': '30d', '90d': '90d', all: 'all time' };

/** The person behind a login whom this viewer may see; anything else is the same 404. */
export async function visiblePerson(s: Services, ctx: Context) {
  const person = await findPerson(s.db, String(ctx.params.login));
  if (!person || !canSeeProfile(person, ctx.state.user ?? null)) throw new NotFound(`no profile for "${ctx.params.login}"`);
  return person;
}

/** Where links to this server point: server.base_url, else the address this request came to. */
export function baseUrl(s: Services, ctx: Context): string {
  // Not ctx.origin: in Koa 3 that is the request's Origin header (null for a plain GET).
  return s.cfg.server.base_url || `${ctx.protocol}://${ctx.host}`;
}

export function profileRouter(s: Services): Router {
  const router = new Router();
  router.get('/u/:login', async (ctx: Context) => {
    const window = parseWindow(ctx.query.window);
    const person = await visiblePerson(s, ctx);
    const p = await profile(s.db, await priceTable(s.db), s.calendar(), person, windowRange(window, s.calendar()));
    const view = presentProfile(p, ctx.state.user ?? null, s.calendar().timeZone);
    await renderShape(ctx, { page: 'pages/profile.njk', fragments: { profile: 'partials/profile-body.njk' } }, { title: view.person.name, p: view, embed: badgeEmbed(baseUrl(s, ctx), person.login) });
  });

  // Images for READMEs and chat profiles: without a session only when their owner opted
  // in on /settings. Everyone else gets the same 404 whether the login exists or not.
  const image = (render: (person: NonNullable<Awaited<ReturnType<typeof findPerson>>>, window: WindowName) => Promise<string>) => async (ctx: Context) => {
    const window = parseWindow(ctx.query.window);
    const found = await findPerson(s.db, String(ctx.params.login));
    // Opting in makes the images public even for someone hidden from the leaderboard.
    const person = found && found.active && found.public_badge ? found : await visiblePerson(s, ctx);
    if (!person.public_badge && !ctx.state.user) throw new NotFound(`no profile for "${ctx.params.login}"`);
    ctx.type = 'image/svg+xml; charset=utf-8';
    ctx.set('Cache-Control', person.public_badge ? 'public, max-age=300' : 'private, no-cache');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = await render(person, window);
  };
  router.get('/u/:login/badge.svg', image(async (person, window) => {
    const f = await badgeFigures(s.db, person.id, windowRange(window, s.calendar()));
    return badgeSvg(`AI tokens ${BADGE_WINDOW[window]}`, compact(f.tokens));
  }));
  router.get('/u/:login/card.svg', image(async (person, window) => {
    const f = await badgeFigures(s.db, person.id, windowRange(window, s.calendar()));
    return cardSvg({ login: person.login, name: person.name, windowLabel: WINDOW_PHRASES[window], ...f, org: s.settings().name });
  }));
  return router;
}
