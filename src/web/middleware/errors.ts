// The one error handler, first in the chain. Expected errors (AppError, http-errors with
// expose) keep their status and message; anything else is logged and becomes a plain 500.
// JSON routes answer JSON; pages get an error page, htmx requests an alert fragment.
import type { Context, Next } from 'koa';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { isStorageFull } from '../../db/dialect.ts';

/** A full disk is the operator's to fix and the sender's to retry (OTLP exporters retry a 503, not a 500). */
const STORAGE_FULL = new AppError(503, 'storage_full', "the server's storage is full; retry later (an admin must free disk space)");

export function wantsJson(ctx: Context): boolean {
  return ctx.path.startsWith('/api/') || ctx.path.startsWith('/v1/') || ctx.path.startsWith('/otlp/') || (!ctx.accepts('html') && Boolean(ctx.accepts('json')));
}

export function errorHandler(log: Logger) {
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError(404, 'not_found', `nothing at ${ctx.path}`);
      }
    } catch (thrown) {
      const raw = isStorageFull(thrown) ? STORAGE_FULL : thrown;
      const err = raw as { status?: number; statusCode?: number; expose?: boolean; message?: string; code?: string; type?: string };
      let status = err.status ?? err.statusCode ?? 500;
      if (status < 400 || status > 599) status = 500;
      const expose = raw instanceof AppError ? raw.expose : Boolean(err.expose) && status < 500;
      const message = expose ? String(err.message) : status === 503 ? 'the server is busy; retry shortly' : 'internal error';
      const code = raw instanceof AppError ? raw.code : status >= 500 ? 'internal' : (err.type ?? 'error');
      // The logger redacts every line (the path of an OTLP request carries a token).
      if (raw === STORAGE_FULL) log.error('request refused: the database storage is full', { method: ctx.method, path: ctx.path.slice(0, 200) });
      else if (status >= 500) log.error('request failed', { method: ctx.method, path: ctx.path.slice(0, 200), status, error: String((raw as Error)?.stack ?? raw).split('\n').slice(0, 4).join(' | ') });
      ctx.status = status;
      if (wantsJson(ctx) || !ctx.state.render) {
        ctx.body = { error: message, code };
      } else if (ctx.get('HX-Request') === 'true' && ctx.get('HX-History-Restore-Request') !== 'true') {
        // htmx asked for a part of a page: the message goes to the page's alert line, not
        // into the part (the same rule as successes: a fragment for htmx, a page otherwise).
        ctx.set('HX-Retarget', '#request-error');
        ctx.set('HX-Reswap', 'innerHTML');
        ctx.body = await ctx.state.render('errors/alert.njk', { status, message, code });
        ctx.type = 'html';
      } else {
        ctx.body = await ctx.state.render('errors/error.njk', { status, message });
        ctx.type = 'html';
      }
    }
  };
}
