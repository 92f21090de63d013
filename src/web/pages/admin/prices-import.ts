// Importing LiteLLM's model_prices_and_context_window.json from the price page: upload →
// a preview of what would be added and changed (nothing stored yet) → apply. The preview
// page carries the file's text in its apply form, so no upload waits on the server between
// the two steps (replicas stay stateless). Both take a multipart body up to PRICE_UPLOAD's cap.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { BadInput } from '../../../errors.ts';
import { applyImport, previewImport } from '../../../pricing/litellm.ts';
import { page } from '../../render.ts';
import { PRICE_UPLOAD } from '../../body.ts';
import { route } from '../../route.ts';
import { raw, request } from '../../schema.ts';
import { presentDiff } from '../../presenters/admin/prices.ts';
import { ADMIN, actorOf, adminNav, inlineError, noStore, seeOther } from './common.ts';
import { showPrices } from './prices.ts';

const input = request({ body: { text: raw(PRICE_UPLOAD.limit) } });

/** The uploaded file's text, else the text field (the apply form, or a paste). */
function uploadedText(ctx: Context, field: string): string {
  const file = ctx.state.files?.file;
  const text = file && file.data.length > 0 ? file.data.toString('utf8') : field;
  if (!text.trim()) throw new BadInput('file: choose LiteLLM’s model_prices_and_context_window.json to import');
  return text;
}

export function priceImportRoutes(s: Services) {
  return [
    route({
      method: 'POST', path: '/admin/prices/import', access: ADMIN, body: PRICE_UPLOAD, input,
      async handler(ctx: Context, { body }) {
        let text: string;
        let diff;
        try {
          text = uploadedText(ctx, body.text);
          diff = await previewImport(s.db, text);
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          return showPrices(s, ctx, { error, errorIn: 'import' });
        }
        noStore(ctx);
        await page(ctx, 'pages/admin/prices-import.njk', { title: 'Import prices · Admin', admin_nav: adminNav('prices'), diff: presentDiff(diff), text, file: ctx.state.files?.file?.name ?? null });
      },
    }),
    route({
      method: 'POST', path: '/admin/prices/import/apply', access: ADMIN, body: PRICE_UPLOAD, input,
      async handler(ctx: Context, { body }) {
        let done: { added: number; changed: number };
        try {
          done = await applyImport(s.db, uploadedText(ctx, body.text), actorOf(ctx));
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          return showPrices(s, ctx, { error, errorIn: 'import' });
        }
        seeOther(ctx, `/admin/prices?done=imported&added=${done.added}&changed=${done.changed}`);
      },
    }),
  ];
}
