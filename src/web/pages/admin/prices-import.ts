// Importing LiteLLM's model_prices_and_context_window.json from the price page: upload →
// a preview of what would be added and changed (nothing stored yet) → apply. The preview
// page carries the file's text in its apply form, so no upload waits on the server between
// the two steps (replicas stay stateless).
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { BadInput } from '../../../errors.ts';
import { applyImport, previewImport } from '../../../pricing/litellm.ts';
import { page } from '../../render.ts';
import { presentDiff } from '../../presenters/admin/prices.ts';
import { actorOf, adminNav, formOf, inlineError, noStore, seeOther } from './common.ts';
import { showPrices } from './prices.ts';

async function uploadedText(ctx: Context): Promise<string> {
  const file = ctx.state.files?.file;
  const text = file && file.size > 0 ? await file.text() : (formOf(ctx).get('text') ?? '');
  if (!text.trim()) throw new BadInput('file: choose LiteLLM’s model_prices_and_context_window.json to import');
  return text;
}

export function priceImportRoutes(s: Services, router: Router): void {
  router.post('/admin/prices/import', async (ctx: Context) => {
    let text: string;
    let diff;
    try {
      text = await uploadedText(ctx);
      diff = await previewImport(s.db, text);
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      return showPrices(s, ctx, { error, errorIn: 'import' });
    }
    noStore(ctx);
    await page(ctx, 'pages/admin/prices-import.njk', { title: 'Import prices · Admin', admin_nav: adminNav('prices'), diff: presentDiff(diff), text, file: ctx.state.files?.file?.name ?? null });
  });

  router.post('/admin/prices/import/apply', async (ctx: Context) => {
    let done: { added: number; changed: number };
    try {
      done = await applyImport(s.db, await uploadedText(ctx), actorOf(ctx));
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      return showPrices(s, ctx, { error, errorIn: 'import' });
    }
    seeOther(ctx, `/admin/prices?done=imported&added=${done.added}&changed=${done.changed}`);
  });
}
