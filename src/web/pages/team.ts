// /team (managers and admins): adoption for a window and team, as a page or the #team
// fragment htmx asks for when a filter changes; /team.csv: the per-person table.
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { members, teamView } from '../../usage/team.ts';
import { teamCsv } from '../../usage/team-csv.ts';
import { toolsView } from '../../usage/team-tools.ts';
import { windowRange } from '../../usage/window.ts';
import { priceTable } from '../../pricing/store.ts';
import { MANAGERS, page } from '../access.ts';
import { route } from '../route.ts';
import { request } from '../schema.ts';
import { renderShape } from '../fragments.ts';
import { presentTeam, TEAM_QUERY } from '../presenters/team.ts';
import { presentTools } from '../presenters/team-tools.ts';

const input = request({ query: TEAM_QUERY });

export function teamRoutes(s: Services) {
  return [
    route({
      method: 'GET', path: '/team', access: page(MANAGERS), input,
      async handler(ctx: Context, { query: state }) {
        const range = windowRange(state.window, s.calendar());
        const query = { range, team: state.team };
        const [view, tools, everyone] = await Promise.all([teamView(s.db, await priceTable(s.db), query), toolsView(s.db, s.calendar(), query), members(s.db)]);
        const team = { ...presentTeam(view, state, [...new Set(everyone.flatMap((m) => m.teams))]), tools: presentTools(tools, view.members) };
        await renderShape(ctx, { page: 'pages/team.njk', fragments: { team: 'partials/team.njk' } }, { title: 'Team adoption', team });
      },
    }),
    route({
      method: 'GET', path: '/team.csv', access: page(MANAGERS), input,
      async handler(ctx: Context, { query: state }) {
        const range = windowRange(state.window, s.calendar());
        const csv = await teamCsv(s.db, { range, team: state.team });
        const name = `tokenboard-team-${state.team ? `${state.team.replace(/[^A-Za-z0-9_-]/g, '_')}-` : ''}${state.window}-${range.to}.csv`;
        ctx.set('Cache-Control', 'no-store');
        ctx.set('Content-Disposition', `attachment; filename="${name}"`);
        ctx.type = 'text/csv; charset=utf-8';
        ctx.body = csv;
      },
    }),
  ];
}
