// GET /api/v1/leaderboard, /api/v1/users/:login, /api/v1/me and /api/v1/team: the pages'
// numbers as JSON for scripts (same query parameters, same domain calls, raw numbers
// instead of formatted text). A session cookie or `Authorization: Bearer <agent token>`.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { priceTable } from '../../pricing/store.ts';
import { leaderboardView } from '../../usage/leaderboard-details.ts';
import { profile } from '../../usage/profile.ts';
import { windowRange } from '../../usage/window.ts';
import { boardQueryOf } from '../pages/leaderboard.ts';
import { visiblePerson } from '../pages/profile.ts';
import { parseBoardState, parseWindow } from '../presenters/board-state.ts';
import { presentBoardJson } from '../presenters/leaderboard.ts';
import { presentProfileJson } from '../presenters/profile.ts';
import { findPerson } from '../../usage/profile.ts';
import { teamView } from '../../usage/team.ts';
import { parseTeamState } from '../presenters/team.ts';
import { Unauthorized } from '../../errors.ts';

export function leaderboardApiRouter(s: Services): Router {
  const router = new Router();
  router.get('/api/v1/leaderboard', async (ctx: Context) => {
    const state = parseBoardState(ctx.query);
    const perPage = ctx.query.per_page === undefined ? undefined : Number(ctx.query.per_page);
    const view = await leaderboardView(s.db, s.calendar(), { ...boardQueryOf(s, state), perPage: Number.isFinite(perPage) ? perPage : undefined });
    ctx.set('Cache-Control', 'private, no-cache');
    ctx.body = presentBoardJson(view.board, view.details);
  });
  router.get('/api/v1/users/:login', async (ctx: Context) => {
    const window = parseWindow(ctx.query.window);
    const person = await visiblePerson(s, ctx);
    const p = await profile(s.db, await priceTable(s.db), s.calendar(), person, windowRange(window, s.calendar()));
    ctx.set('Cache-Control', 'private, no-cache');
    ctx.body = presentProfileJson(p);
  });
  // Who the token or cookie belongs to, and their own numbers (hidden or not).
  router.get('/api/v1/me', async (ctx: Context) => {
    const user = ctx.state.user;
    if (!user) throw new Unauthorized();
    const person = await findPerson(s.db, user.login);
    if (!person) throw new Unauthorized();
    const window = parseWindow(ctx.query.window);
    const p = await profile(s.db, await priceTable(s.db), s.calendar(), person, windowRange(window, s.calendar()));
    ctx.set('Cache-Control', 'private, no-cache');
    ctx.body = { user: { id: user.id, login: user.login, name: user.name, role: user.role, teams: user.teams }, ...presentProfileJson(p) };
  });
  // The team adoption numbers (managers and admins), as /team shows them.
  router.get('/api/v1/team', async (ctx: Context) => {
    const state = parseTeamState(ctx.query);
    const view = await teamView(s.db, await priceTable(s.db), { range: windowRange(state.window, s.calendar()), team: state.team });
    ctx.set('Cache-Control', 'private, no-cache');
    ctx.body = view;
  });
  return router;
}
