// /admin/budgets: budgets with their spend this period; add, edit (?edit=ID) and delete.
// Plain forms (POST → 303 → GET); a refused form comes back with what was typed and the
// message on its field.
import type { Context } from 'koa';
import * as v from 'valibot';
import type { Services } from '../../../services.ts';
import { removeBudget, setBudget } from '../../../budgets/budgets.ts';
import { budgetAdminView } from '../../../budgets/views.ts';
import { page } from '../../render.ts';
import { FORM } from '../../body.ts';
import { route } from '../../route.ts';
import { id, oneOf, request, typed } from '../../schema.ts';
import { draftOf, presentBudgetsPage, type BudgetForm, type BudgetsPageState } from '../../presenters/admin/budgets.ts';
import { ADMIN, actorOf, adminNav, inlineError, noStore, seeOther } from './common.ts';

const NOTICES = {
  saved: 'Budget saved. Its alerts follow the new numbers from now on.',
  deleted: 'Budget deleted. Alerts already sent stay in the delivery log.',
} as const;

// The form as typed: the domain (draftOf, setBudget) says what is wrong with the values.
const BUDGET_FORM = { scope: typed(20), subject: typed(200), period: typed(20), unit: typed(20), limit: typed(40), thresholds: typed(200) };
const byId = { params: { id } };

export function adminBudgetsRoutes(s: Services) {
  const show = async (ctx: Context, o: BudgetsPageState) => {
    const view = await budgetAdminView(s);
    noStore(ctx);
    await page(ctx, 'pages/admin/budgets.njk', { title: 'Budgets · Admin', admin_nav: adminNav('budgets'), b: presentBudgetsPage(view, o) });
  };
  return [
    route({
      method: 'GET', path: '/admin/budgets', access: ADMIN,
      // ?edit= that is not an id just opens no editor.
      input: request({ query: { edit: v.fallback(v.optional(id, ''), 0), done: oneOf(['saved', 'deleted']) } }),
      handler: (ctx: Context, { query }) => show(ctx, { edit: query.edit ? { id: query.edit } : null, notice: query.done ? NOTICES[query.done] : null }),
    }),
    route({
      method: 'POST', path: '/admin/budgets', access: ADMIN, body: FORM, input: request({ body: BUDGET_FORM }),
      async handler(ctx: Context, { body }) {
        const form: BudgetForm = body;
        try {
          await setBudget(s.db, draftOf(form), actorOf(ctx), { mustBeNew: true });
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          return show(ctx, { add: { form, error } });
        }
        seeOther(ctx, '/admin/budgets?done=saved');
      },
    }),
    route({
      method: 'POST', path: '/admin/budgets/:id', access: ADMIN, body: FORM, input: request({ ...byId, body: BUDGET_FORM }),
      async handler(ctx: Context, { params, body }) {
        const form: BudgetForm = body;
        try {
          await setBudget(s.db, draftOf(form), actorOf(ctx), { id: params.id });
        } catch (err) {
          const error = inlineError(err);
          if (error.status === 404) throw err;
          ctx.status = error.status;
          return show(ctx, { edit: { id: params.id, form, error } });
        }
        seeOther(ctx, `/admin/budgets?done=saved#budget-${params.id}`);
      },
    }),
    route({
      method: 'POST', path: '/admin/budgets/:id/delete', access: ADMIN, body: FORM, input: request(byId),
      async handler(ctx: Context, { params }) {
        await removeBudget(s.db, params.id, actorOf(ctx));
        seeOther(ctx, '/admin/budgets?done=deleted');
      },
    }),
  ];
}
