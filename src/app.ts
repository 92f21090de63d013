// createApp(services): the middleware order and the routers. Never listens.
import Koa from 'koa';
import serve from 'koa-static';
import { PUBLIC_DIR } from './paths.ts';
import type { Services } from './services.ts';
import { accessLog } from './web/middleware/access-log.ts';
import { errorHandler } from './web/middleware/errors.ts';
import { createViews } from './web/views.ts';
import { ingestRouter } from './web/api/ingest.ts';
import { systemRouter } from './web/system.ts';
import { homeRouter } from './web/pages/home.ts';
import { otlpRouter } from './web/api/otlp.ts';

export function createApp(s: Services): Koa {
  const app = new Koa({ proxy: false });
  const views = createViews({ orgName: s.cfg.org.name });
  app.silent = true;
  app.use(async (ctx, next) => {
    ctx.state.render = views.render;
    await next();
  });
  app.use(errorHandler(s.log));
  app.use(accessLog(s.log));
  app.use(serve(PUBLIC_DIR, { maxage: 3600_000, index: false, defer: false }));
  for (const router of [systemRouter(s), ingestRouter(s), otlpRouter(s), homeRouter(s)]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
