// GET /api/v1/leaderboard, /api/v1/users/:login, /api/v1/me and /api/v1/team: the pages'
// numbers as JSON for scripts (same query parameters and schemas, same domain calls, raw
// numbers instead of formatted text). A session cookie or `Authorization: Bearer <agent token>`.
import type { Context } from 'koa';
import * as v from 'valibot';
import type { Services } from '../../services.ts';
import { priceTable } from '../../pricing/store.ts';
import { leaderboardView } from '../../usage/leaderboard-details.ts';
import { MAX_PER_PAGE } from '../../usage/leaderboard.ts';
import { findPerson, profile } from '../../usage/profile.ts';
import { teamView } from '../../usage/team.ts';
import { windowRange } from '../../usage/window.ts';
import { Unauthorized } from '../../errors.ts';
import { api, MANAGERS, MEMBERS } from '../access.ts';
import { route } from '../route.ts';
import { request, text } from '../schema.ts';
import { boardQueryOf } from '../pages/leaderboard.ts';
import { PERSON_INPUT, visiblePerson } from '../pages/profile.ts';
import { BOARD_QUERY, windowParam } from '../presenters/board-state.ts';
import { TEAM_QUERY } from '../presenters/team.ts';
import { presentBoardJson } from '../presenters/leaderboard.ts';
import { presentProfileJson } from '../presenters/profile.ts';

const perPage = v.pipe(text(4), v.transform((x) => (x === null ? undefined : Number(x))),
  v.check((n) => n === undefined || (Number.isInteger(n) && n >= 1 && n <= MAX_PER_PAGE), `a whole number from 1 to ${MAX_PER_PAGE}`));

export function apiRoutes(s: Services) {
  const noCache = (ctx: Context) => ctx.set('Cache-Control', 'private, no-cache');
  return [
    route({
      method: 'GET', path: '/api/v1/leaderboard', access: api(MEMBERS, 'leaderboard'),
      input: request({ query: { ...BOARD_QUERY, per_page: perPage } }),
      async handler(ctx: Context, { query }) {
        const view = await leaderboardView(s.db, s.calendar(), { ...boardQueryOf(s, query), perPage: query.per_page });
        noCache(ctx);
        ctx.body = presentBoardJson(view.board, view.details);
      },
    }),
    route({
      method: 'GET', path: '/api/v1/users/:login', access: api(MEMBERS, 'leaderboard'), input: PERSON_INPUT,
      async handler(ctx: Context, { params, query }) {
        const person = await visiblePerson(s, ctx, params.login);
        const p = await profile(s.db, await priceTable(s.db), s.calendar(), person, windowRange(query.window, s.calendar()));
        noCache(ctx);
        ctx.body = presentProfileJson(p);
      },
    }),
    // Who the token or cookie belongs to, and their own numbers (hidden or not).
    route({
      method: 'GET', path: '/api/v1/me', access: api(MEMBERS), input: request({ query: { window: windowParam() } }),
      async handler(ctx: Context, { query }) {
        const user = ctx.state.user;
        const person = user ? await findPerson(s.db, user.login) : null;
        if (!user || !person) throw new Unauthorized();
        const p = await profile(s.db, await priceTable(s.db), s.calendar(), person, windowRange(query.window, s.calendar()));
        noCache(ctx);
        ctx.body = { user: { id: user.id, login: user.login, name: user.name, role: user.role, teams: user.teams }, ...presentProfileJson(p) };
      },
    }),
    // The team adoption numbers (managers and admins), as /team shows them.
    route({
      method: 'GET', path: '/api/v1/team', access: api(MANAGERS), input: request({ query: TEAM_QUERY }),
      async handler(ctx: Context, { query }) {
        const view = await teamView(s.db, await priceTable(s.db), { range: windowRange(query.window, s.calendar()), team: query.team });
        noCache(ctx);
        ctx.body = view;
      },
    }),
  ];
}
