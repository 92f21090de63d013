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
import { fragmentFor, renderShape } from '../fragments.ts';
import { budgetsForManager } from '../../budgets/views.ts';
import { presentBudgetLines } from '../presenters/budgets.ts';
import { presentTeam, TEAM_QUERY } from '../presenters/team.ts';
import { presentTools } from '../presenters/team-tools.ts';

const input = request({ query: TEAM_QUERY });
const TEAM_SHAPES = { page: 'pages/team.njk', fragments: { team: 'partials/team.njk' } };

export function teamRoutes(s: Services) {
  return [
    route({
      method: 'GET', path: '/team', access: page(MANAGERS), input,
      async handler(ctx: Context, { query: state }) {
        const range = windowRange(state.window, s.calendar());
        const query = { range, team: state.team };
        const [view, tools, everyone] = await Promise.all([teamView(s.db, await priceTable(s.db), query), toolsView(s.db, s.calendar(), query), members(s.db)]);
        const team = { ...presentTeam(view, state, [...new Set(everyone.flatMap((m) => m.teams))]), tools: presentTools(tools, view.members) };
        // Budgets of the viewer's teams and the org's, beside the adoption numbers (not part of the #team fragment).
        const budgets = fragmentFor(ctx, TEAM_SHAPES) === null && ctx.state.user ? presentBudgetLines(await budgetsForManager(s, ctx.state.user)) : [];
        await renderShape(ctx, TEAM_SHAPES, { title: 'Team adoption', team, budget_lines: budgets });
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
