// GET /: the leaderboard. The URL state (schema-checked by the chain) → one domain call →
// presenter → the full page, or the board or table fragment htmx asks for (live refresh
// every 3 s).
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { leaderboardView } from '../../usage/leaderboard-details.ts';
import { windowRange } from '../../usage/window.ts';
import { MEMBERS, page } from '../access.ts';
import { route } from '../route.ts';
import { request } from '../schema.ts';
import { renderShape } from '../fragments.ts';
import { BOARD_QUERY, type BoardState } from '../presenters/board-state.ts';
import { presentBoard } from '../presenters/leaderboard.ts';

export function boardQueryOf(s: Services, state: BoardState, now = Date.now()) {
  return {
    range: windowRange(state.window, s.calendar(), now),
    metric: state.metric, team: state.team, provider: state.provider, source: state.source, tool: state.tool, search: state.q, page: state.page,
  };
}

export function leaderboardRoutes(s: Services) {
  return [
    route({
      method: 'GET', path: '/', access: page(MEMBERS, 'leaderboard'),
      input: request({ query: BOARD_QUERY }),
      async handler(ctx: Context, { query: state }) {
        const view = await leaderboardView(s.db, s.calendar(), boardQueryOf(s, state));
        const board = presentBoard(view.board, view.details, state, ctx.state.user ?? null, view.providers, view.tools);
        await renderShape(ctx, { page: 'pages/leaderboard.njk', fragments: { board: 'partials/board.njk', 'lb-table': 'partials/leaderboard-table.njk' } }, { title: 'Leaderboard', board });
      },
    }),
  ];
}
