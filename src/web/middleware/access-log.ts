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
        log.info('http', { method: ctx.method, path: safePath(ctx.path), status: ctx.status, ms: Math.round((performance.now() - start) * 10) / 10 });
      }
    }
  };
}

/** The path as it may be logged: Gemini CLI's OTLP endpoint carries the agent token in it. */
export function safePath(path: string): string {
  return path.replace(/^\/otlp\/[^/]+/, '/otlp/[token]').slice(0, 200);
}
