// One line per request: method, path (never the query string, which could carry a
// one-time sign-in code), status, milliseconds. Never headers or bodies.
import type { Context, Next } from 'koa';
import type { Logger } from '../../log.ts';

export function accessLog(log: Logger) {
  return async function logRequest(ctx: Context, next: Next): Promise<void> {
    const start = performance.now();
    try {
      await next();
    } finally {
      if (ctx.path !== '/healthz') {
        log.info('http', { method: ctx.method, path: ctx.path.slice(0, 200), status: ctx.status, ms: Math.round((performance.now() - start) * 10) / 10 });
      }
    }
  };
}
