// /admin/prices: the price table with inline editing, adding an id or pattern with a preview
// of the recorded models it covers, deleting, the unknown-models inbox and the history.
// One URL, several shapes: GET /admin/prices is the page; htmx asks for one row (?edit= or
// ?show=) or the coverage preview (HX-Target: coverage). A refused save comes back with
// the typed values and the message on the field (the full page without JS, the row with).
import type { Context } from 'koa';
import * as v from 'valibot';
import type { Services } from '../../../services.ts';
import { NotFound } from '../../../errors.ts';
import { deletePrice, listPrices, setPrice, type PriceInput } from '../../../pricing/store.ts';
import { coverageOf, priceAdminView } from '../../../pricing/admin-view.ts';
import { page } from '../../render.ts';
import { FORM } from '../../body.ts';
import { route } from '../../route.ts';
import { oneOf, request, typed } from '../../schema.ts';
import { presentCoverage, presentPriceRow, presentPrices, rowId, type PriceDraft } from '../../presenters/admin/prices.ts';
import { ADMIN, actorOf, adminNav, inlineError, isHtmx, noStore, seeOther, type FieldError } from './common.ts';
import { priceImportRoutes } from './prices-import.ts';

const EMPTY: PriceDraft = { model: '', provider: '', input: '', output: '', cache_read: '', cache_write: '', cache_write_1h: '' };

const count = typed(12);

/** What the page's query string may say: a notice after an action, a row to edit or show, a model to preview. */
const PRICES_QUERY = {
  done: oneOf(['saved', 'deleted', 'imported']), added: count, changed: count,
  edit: typed(200), show: typed(200), model: typed(200), provider: typed(200),
};

type PricesQuery = { done: 'saved' | 'deleted' | 'imported' | null; added: string; changed: string };

function notice(q: PricesQuery | undefined): string | null {
  switch (q?.done) {
    case 'saved': return 'Price saved. Every cost, past ones included, now uses it.';
    case 'deleted': return 'Price deleted. Models it covered show their cost as unknown until priced again.';
    case 'imported': return `LiteLLM prices imported: ${Number(q.added) || 0} added, ${Number(q.changed) || 0} changed. Every cost now uses them.`;
    default: return null;
  }
}

export interface PricesPageOptions {
  query?: PricesQuery;
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
  await page(ctx, 'pages/admin/prices.njk', { title: 'Prices · Admin', admin_nav: adminNav('prices'), p: presentPrices(view, { ...o, notice: notice(o.query) }) });
}

// Numbers stay text here: the domain's message names the field and the value it refused.
// The 1-hour cache-write field is optional: a form (or client) that leaves it out keeps the stored price.
const DRAFT = { model: typed(200), provider: typed(200), input: typed(40), output: typed(40), cache_read: typed(40), cache_write: typed(40), cache_write_1h: v.optional(typed(40)) };

/**
 * The typed text as the domain's input. Empty cache fields mean "no cache price"; text that
 * is not a number goes through as typed, so the domain's message names the field and the
 * value ("input: must be a non-negative number…, got abc").
 */
function priceInputOf(d: PriceDraft): PriceInput {
  const n = (v: string, required: boolean) => (v === '' ? (required ? undefined : null) : Number.isFinite(Number(v)) ? Number(v) : v);
  return { model: d.model, provider: d.provider, input: n(d.input, true), output: n(d.output, true), cache_read: n(d.cache_read, false), cache_write: n(d.cache_write, false),
    ...(d.cache_write_1h === undefined ? {} : { cache_write_1h: n(d.cache_write_1h, false) }) } as PriceInput;
}

export function adminPricesRoutes(s: Services) {
  return [
    route({
      method: 'GET', path: '/admin/prices', access: ADMIN, input: request({ query: PRICES_QUERY }),
      async handler(ctx: Context, { query }) {
        const { edit, show, model } = query;
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
        await showPrices(s, ctx, { query, edit: edit || null, add: model ? { ...EMPTY, model, provider: query.provider } : null });
      },
    }),
    route({
      method: 'POST', path: '/admin/prices', access: ADMIN, body: FORM, input: request({ body: { ...DRAFT, mode: oneOf(['edit', 'add']) } }),
      async handler(ctx: Context, { body: { mode: m, ...d } }) {
        const mode = m === 'edit' ? 'edit' : 'add';
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
      },
    }),
    route({
      method: 'POST', path: '/admin/prices/delete', access: ADMIN, body: FORM, input: request({ body: { model: typed(200) } }),
      async handler(ctx: Context, { body }) {
        await deletePrice(s.db, body.model, actorOf(ctx));
        if (isHtmx(ctx)) {
          ctx.type = 'html';
          ctx.body = '';
          return;
        }
        seeOther(ctx, '/admin/prices?done=deleted');
      },
    }),
    ...priceImportRoutes(s),
  ];
}
