// /admin/budgets: budgets with their spend this period; add, edit (?edit=ID) and delete.
// Plain forms (POST → 303 → GET); a refused form comes back with what was typed and the
// message on its field.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { BadInput } from '../../../errors.ts';
import { removeBudget, setBudget } from '../../../budgets/budgets.ts';
import { budgetAdminView } from '../../../budgets/views.ts';
import { page } from '../../render.ts';
import { draftOf, presentBudgetsPage, type BudgetForm, type BudgetsPageState } from '../../presenters/admin/budgets.ts';
import { actorOf, adminNav, field, inlineError, noStore, queryOf, seeOther } from './common.ts';

const NOTICES: Record<string, string> = {
  saved: 'Budget saved. Its alerts follow the new numbers from now on.',
  deleted: 'Budget deleted. Alerts already sent stay in the delivery log.',
};

function formFrom(ctx: Context): BudgetForm {
  return { scope: field(ctx, 'scope'), subject: field(ctx, 'subject'), period: field(ctx, 'period'), unit: field(ctx, 'unit'), limit: field(ctx, 'limit'), thresholds: field(ctx, 'thresholds') };
}

function idParam(ctx: Context): number {
  const id = Number(ctx.params.id);
  if (!Number.isInteger(id) || id < 1) throw new BadInput('budget: not a budget id');
  return id;
}

export function adminBudgetsRouter(s: Services): Router {
  const router = new Router();
  const show = async (ctx: Context, o: BudgetsPageState) => {
    const view = await budgetAdminView(s);
    noStore(ctx);
    await page(ctx, 'pages/admin/budgets.njk', { title: 'Budgets · Admin', admin_nav: adminNav('budgets'), b: presentBudgetsPage(view, o) });
  };

  router.get('/admin/budgets', async (ctx: Context) => {
    const edit = Number(queryOf(ctx, 'edit'));
    await show(ctx, { edit: Number.isInteger(edit) && edit > 0 ? { id: edit } : null, notice: NOTICES[queryOf(ctx, 'done')] ?? null });
  });

  router.post('/admin/budgets', async (ctx: Context) => {
    const form = formFrom(ctx);
    try {
      await setBudget(s.db, draftOf(form), actorOf(ctx), { mustBeNew: true });
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      return show(ctx, { add: { form, error } });
    }
    seeOther(ctx, '/admin/budgets?done=saved');
  });

  router.post('/admin/budgets/:id', async (ctx: Context) => {
    const id = idParam(ctx);
    const form = formFrom(ctx);
    try {
      await setBudget(s.db, draftOf(form), actorOf(ctx), { id });
    } catch (err) {
      const error = inlineError(err);
      if (error.status === 404) throw err;
      ctx.status = error.status;
      return show(ctx, { edit: { id, form, error } });
    }
    seeOther(ctx, `/admin/budgets?done=saved#budget-${id}`);
  });

  router.post('/admin/budgets/:id/delete', async (ctx: Context) => {
    await removeBudget(s.db, idParam(ctx), actorOf(ctx));
    seeOther(ctx, '/admin/budgets?done=deleted');
  });
  return router;
}
