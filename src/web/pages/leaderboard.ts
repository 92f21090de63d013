// GET /: the leaderboard. Parse the URL state → one domain call → presenter → the full
// page, or the board or table fragment htmx asks for (live refresh every 3 s).
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { leaderboardView } from '../../usage/leaderboard-details.ts';
import { windowRange } from '../../usage/window.ts';
import { renderShape } from '../fragments.ts';
import { parseBoardState, type BoardState } from '../presenters/board-state.ts';
import { presentBoard } from '../presenters/leaderboard.ts';

export function boardQueryOf(s: Services, state: BoardState, now = Date.now()) {
  return {
    range: windowRange(state.window, s.calendar(), now),
    metric: state.metric, team: state.team, provider: state.provider, source: state.source, tool: state.tool, search: state.q, page: state.page,
  };
}

export function leaderboardRouter(s: Services): Router {
  const router = new Router();
  router.get('/', async (ctx: Context) => {
    const state = parseBoardState(ctx.query);
    const view = await leaderboardView(s.db, s.calendar(), boardQueryOf(s, state));
    const board = presentBoard(view.board, view.details, state, ctx.state.user ?? null, view.providers);
    await renderShape(ctx, { page: 'pages/leaderboard.njk', fragments: { board: 'partials/board.njk', 'lb-table': 'partials/leaderboard-table.njk' } }, { title: 'Leaderboard', board });
  });
  return router;
}
