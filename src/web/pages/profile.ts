// GET /u/:login: a profile for a window (full page, or the #profile fragment when htmx
// switches the window); /u/:login/badge.svg and card.svg for sharing.
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { NotFound } from '../../errors.ts';
import { priceTable } from '../../pricing/store.ts';
import { badgeFigures } from '../../usage/badge.ts';
import { canSeeProfile, findPerson, profile } from '../../usage/profile.ts';
import { windowRange, type WindowName } from '../../usage/window.ts';
import { EVERYONE, MEMBERS, page } from '../access.ts';
import { route } from '../route.ts';
import { request, required } from '../schema.ts';
import { compact } from '../format.ts';
import { renderShape } from '../fragments.ts';
import { windowParam } from '../presenters/board-state.ts';
import { WINDOW_PHRASES } from '../presenters/leaderboard.ts';
import { presentProfile } from '../presenters/profile.ts';
import { badgeEmbed } from '../presenters/badge-embed.ts';
import { badgeSvg } from '../svg/badge.ts';
import { cardSvg } from '../svg/card.ts';
import { budgetsOfPerson } from '../../budgets/views.ts';
import { presentBudgetLines } from '../presenters/budgets.ts';

const BADGE_WINDOW: Record<WindowName, string> = { today: 'today', '7d': '7d', '30d': '30d', '90d': '90d', all: 'all time' };

/** A login in the path and a window in the query (/u/:login and the JSON twin). */
export const PERSON_INPUT = request({ params: { login: required(100) }, query: { window: windowParam() } });

/** The person behind a login whom this viewer may see; anything else is the same 404. */
export async function visiblePerson(s: Services, ctx: Context, login: string) {
  const person = await findPerson(s.db, login);
  if (!person || !canSeeProfile(person, ctx.state.user ?? null)) throw new NotFound(`no profile for "${login}"`);
  return person;
}

/** Where links to this server point: server.base_url, else the address this request came to. */
export function baseUrl(s: Services, ctx: Context): string {
  // Not ctx.origin: in Koa 3 that is the request's Origin header (null for a plain GET).
  return s.cfg.server.base_url || `${ctx.protocol}://${ctx.host}`;
}

type Person = NonNullable<Awaited<ReturnType<typeof findPerson>>>;

export function profileRoutes(s: Services) {
  // Images for READMEs and chat profiles: without a session only when their owner opted
  // in on /settings. Everyone else gets the same 404 whether the login exists or not.
  const image = (path: string, render: (person: Person, window: WindowName) => Promise<string>) => route({
    method: 'GET', path, access: page(EVERYONE), input: PERSON_INPUT,
    async handler(ctx: Context, { params, query }) {
      const found = await findPerson(s.db, params.login);
      // Opting in makes the images public even for someone hidden from the leaderboard.
      const person = found && found.active && found.public_badge ? found : await visiblePerson(s, ctx, params.login);
      if (!person.public_badge && !ctx.state.user) throw new NotFound(`no profile for "${params.login}"`);
      ctx.type = 'image/svg+xml; charset=utf-8';
      ctx.set('Cache-Control', person.public_badge ? 'public, max-age=300' : 'private, no-cache');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.body = await render(person, query.window);
    },
  });
  return [
    route({
      method: 'GET', path: '/u/:login', access: page(MEMBERS, 'leaderboard'), input: PERSON_INPUT,
      async handler(ctx: Context, { params, query }) {
        const person = await visiblePerson(s, ctx, params.login);
        const p = await profile(s.db, await priceTable(s.db), s.calendar(), person, windowRange(query.window, s.calendar()));
        const view = presentProfile(p, ctx.state.user ?? null, s.calendar().timeZone);
        // Budgets counting this person's usage: on their own profile only.
        const budgets = view.me ? presentBudgetLines(await budgetsOfPerson(s, person)) : [];
        await renderShape(ctx, { page: 'pages/profile.njk', fragments: { profile: 'partials/profile-body.njk' } }, { title: view.person.name, p: view, embed: badgeEmbed(baseUrl(s, ctx), person.login), budget_lines: budgets });
      },
    }),
    image('/u/:login/badge.svg', async (person, window) => {
      const f = await badgeFigures(s.db, person.id, windowRange(window, s.calendar()));
      return badgeSvg(`AI tokens ${BADGE_WINDOW[window]}`, compact(f.tokens));
    }),
    image('/u/:login/card.svg', async (person, window) => {
      const f = await badgeFigures(s.db, person.id, windowRange(window, s.calendar()));
      return cardSvg({ login: person.login, name: person.name, windowLabel: WINDOW_PHRASES[window], ...f, org: s.settings().name });
    }),
  ];
}
