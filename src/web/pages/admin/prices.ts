// /admin/prices: the price table with inline editing, adding an id or pattern with a preview
// of the recorded models it covers, deleting, the unknown-models inbox and the history.
// One URL, several shapes: GET /admin/prices is the page; htmx asks for one row (?edit= or
// ?show=) or the coverage preview (HX-Target: coverage). A refused save comes back with
// the typed values and the message on the field (the full page without JS, the row with).
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { NotFound } from '../../../errors.ts';
import { deletePrice, listPrices, setPrice, type PriceInput } from '../../../pricing/store.ts';
import { coverageOf, priceAdminView } from '../../../pricing/admin-view.ts';
import { page } from '../../render.ts';
import { presentCoverage, presentPriceRow, presentPrices, rowId, type PriceDraft } from '../../presenters/admin/prices.ts';
import { actorOf, adminNav, field, inlineError, isHtmx, noStore, queryOf, seeOther, type FieldError } from './common.ts';
import { priceImportRoutes } from './prices-import.ts';

const EMPTY: PriceDraft = { model: '', provider: '', input: '', output: '', cache_read: '', cache_write: '' };

function notice(ctx: Context): string | null {
  switch (queryOf(ctx, 'done')) {
    case 'saved': return 'Price saved. Every cost, past ones included, now uses it.';
    case 'deleted': return 'Price deleted. Models it covered show their cost as unknown until priced again.';
    case 'imported': return `LiteLLM prices imported: ${Number(queryOf(ctx, 'added')) || 0} added, ${Number(queryOf(ctx, 'changed')) || 0} changed. Every cost now uses them.`;
    default: return null;
  }
}

export interface PricesPageOptions {
  edit?: string | null;
  editDraft?: PriceDraft;
  error?: FieldError | null;
  errorIn?: 'edit' | 'add' | 'import' | null;
  add?: PriceDraft | null;
}

/** The full page (also after a refused form, with ctx.status set by the caller). */
export async function showPrices(s: Services, ctx: Context, o: PricesPageOptions = {}): Promise<void> {
  const view = await priceAdminView(s.db, { cover: o.add?.model || null });
  noStore(ctx);
  await page(ctx, 'pages/admin/prices.njk', { title: 'Prices · Admin', admin_nav: adminNav('prices'), p: presentPrices(view, { ...o, notice: notice(ctx) }) });
}

function draftOf(ctx: Context): PriceDraft {
  return { model: field(ctx, 'model'), provider: field(ctx, 'provider'), input: field(ctx, 'input'), output: field(ctx, 'output'), cache_read: field(ctx, 'cache_read'), cache_write: field(ctx, 'cache_write') };
}

/**
 * The typed text as the domain's input. Empty cache fields mean "no cache price"; text that
 * is not a number goes through as typed, so the domain's message names the field and the
 * value ("input: must be a non-negative number…, got abc").
 */
function priceInputOf(d: PriceDraft): PriceInput {
  const n = (v: string, required: boolean) => (v === '' ? (required ? undefined : null) : Number.isFinite(Number(v)) ? Number(v) : v);
  return { model: d.model, provider: d.provider, input: n(d.input, true), output: n(d.output, true), cache_read: n(d.cache_read, false), cache_write: n(d.cache_write, false) } as PriceInput;
}

export function adminPricesRouter(s: Services): Router {
  const router = new Router();

  router.get('/admin/prices', async (ctx: Context) => {
    const edit = queryOf(ctx, 'edit');
    const show = queryOf(ctx, 'show');
    const model = queryOf(ctx, 'model');
    if (isHtmx(ctx) && ctx.get('HX-Target') === 'coverage') {
      noStore(ctx);
      ctx.type = 'html';
      ctx.body = await ctx.state.render('partials/admin/coverage.njk', { coverage: presentCoverage(model, model ? await coverageOf(s.db, model) : null) });
      return;
    }
    if (isHtmx(ctx) && (edit || show)) {
      const price = (await listPrices(s.db)).find((p) => p.model === (edit || show));
      if (!price) throw new NotFound(`no price for model "${edit || show}"`);
      noStore(ctx);
      ctx.type = 'html';
      ctx.body = await ctx.state.render('partials/admin/price-row.njk', { r: presentPriceRow(price, edit ? {} : null) });
      return;
    }
    await showPrices(s, ctx, { edit: edit || null, add: model ? { ...EMPTY, model, provider: queryOf(ctx, 'provider') } : null });
  });

  router.post('/admin/prices', async (ctx: Context) => {
    const d = draftOf(ctx);
    const mode = field(ctx, 'mode') === 'edit' ? 'edit' : 'add';
    let error: FieldError | null = null;
    try {
      await setPrice(s.db, priceInputOf(d), actorOf(ctx));
    } catch (err) {
      error = inlineError(err);
    }
    if (isHtmx(ctx) && mode === 'edit') {
      // htmx swaps 2xx answers only: the row comes back shown, or still in edit with its message.
      const price = (await listPrices(s.db)).find((p) => p.model === d.model)
        ?? { model: d.model, provider: d.provider, input: 0, output: 0, cache_read: null, cache_write: null, cache_write_1h: null, tiers: [], aliases: [] };
      noStore(ctx);
      ctx.type = 'html';
      ctx.body = await ctx.state.render('partials/admin/price-row.njk', { r: presentPriceRow(price, error ? { draft: d, error } : null) });
      return;
    }
    if (error) {
      ctx.status = error.status;
      return showPrices(s, ctx, mode === 'edit' ? { edit: d.model, editDraft: d, error, errorIn: 'edit' } : { add: d, error, errorIn: 'add' });
    }
    seeOther(ctx, `/admin/prices?done=saved#${rowId(d.model)}`);
  });

  router.post('/admin/prices/delete', async (ctx: Context) => {
    await deletePrice(s.db, field(ctx, 'model'), actorOf(ctx));
    if (isHtmx(ctx)) {
      ctx.type = 'html';
      ctx.body = '';
      return;
    }
    seeOther(ctx, '/admin/prices?done=deleted');
  });

  priceImportRoutes(s, router);
  return router;
}
