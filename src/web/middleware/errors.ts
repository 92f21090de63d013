// The one error handler, first in the chain. Expected errors (AppError, http-errors with
// expose) keep their status and message; anything else is logged and becomes a plain 500.
// JSON routes answer JSON; pages get an error page.
import type { Context, Next } from 'koa';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../log.ts';

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
    } catch (raw) {
      const err = raw as { status?: number; statusCode?: number; expose?: boolean; message?: string; code?: string; type?: string };
      let status = err.status ?? err.statusCode ?? 500;
      if (status < 400 || status > 599) status = 500;
      const expose = raw instanceof AppError ? raw.expose : Boolean(err.expose) && status < 500;
      const message = expose ? String(err.message) : status === 503 ? 'the server is busy; retry shortly' : 'internal error';
      const code = raw instanceof AppError ? raw.code : status >= 500 ? 'internal' : (err.type ?? 'error');
      // The logger redacts every line (the path of an OTLP request carries a token).
      if (status >= 500) log.error('request failed', { method: ctx.method, path: ctx.path.slice(0, 200), status, error: String((raw as Error)?.stack ?? raw).split('\n').slice(0, 4).join(' | ') });
      ctx.status = status;
      if (wantsJson(ctx) || !ctx.state.render) {
        ctx.body = { error: message, code };
      } else {
        ctx.body = await ctx.state.render('errors/error.njk', { status, message });
        ctx.type = 'html';
      }
    }
  };
}
