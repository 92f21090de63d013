// GET /api/v1/leaderboard and /api/v1/users/:login: the pages' numbers as JSON for scripts
// (same query parameters, same domain calls, raw numbers instead of formatted text).
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
  return router;
}
