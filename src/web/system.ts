// Routes with no sign-in: health, metrics, the agent bundle, static assets.
import Router from '@koa/router';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Context } from 'koa';
import { AGENT_BUNDLE } from '../paths.ts';
import type { Services } from '../services.ts';
import { AppError } from '../errors.ts';
import { sameSecret } from '../secrets.ts';
import { readiness } from '../readiness.ts';

const require = createRequire(import.meta.url);
const HTMX_FILE = require.resolve('htmx.org/dist/htmx.min.js');

export function systemRouter(s: Services): Router {
  const router = new Router();
  router.get('/healthz', (ctx: Context) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ok: true };
  });
  // Readiness: the database answers and its schema is this build's. A load balancer sends
  // traffic only to replicas that say yes.
  router.get('/readyz', async (ctx: Context) => {
    ctx.set('Cache-Control', 'no-store');
    const r = await readiness(s.db);
    ctx.status = r.ready ? 200 : 503;
    ctx.body = r;
  });
  router.get('/metrics', async (ctx: Context) => {
    const wanted = s.cfg.server.metrics_token;
    if (wanted && !sameSecret(/^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1] ?? '', wanted)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new AppError(401, 'metrics_token', '/metrics needs Authorization: Bearer <server.metrics_token>');
    }
    ctx.set('Content-Type', s.metrics.registry.contentType);
    ctx.body = await s.metrics.registry.metrics();
  });
  router.get('/agent/tokenboard-agent.mjs', (ctx: Context) => {
    if (!existsSync(AGENT_BUNDLE)) throw new AppError(503, 'agent_not_built', 'the agent bundle is not built; run `npm run build` on the server');
    // It holds no secret, so no sign-in; the set-up line on /settings downloads it.
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Content-Disposition', 'attachment; filename="tokenboard-agent.mjs"');
    ctx.set('Cache-Control', 'no-cache');
    ctx.length = statSync(AGENT_BUNDLE).size;
    ctx.body = createReadStream(AGENT_BUNDLE);
  });
  router.get('/static/htmx.min.js', (ctx: Context) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = createReadStream(HTMX_FILE);
  });
  return router;
}
