// createApp(services): the middleware order and the routes. Never listens.
import Koa from 'koa';
import serve from 'koa-static';
import { PUBLIC_DIR } from './paths.ts';
import type { Services } from './services.ts';
import { accessLog } from './web/middleware/access-log.ts';
import { errorHandler } from './web/middleware/errors.ts';
import { createViews } from './web/views.ts';
import { ingestRoutes } from './web/api/ingest.ts';
import { systemRoutes } from './web/system.ts';
import { leaderboardRoutes } from './web/pages/leaderboard.ts';
import { profileRoutes } from './web/pages/profile.ts';
import { settingsRoutes } from './web/pages/settings.ts';
import { teamRoutes } from './web/pages/team.ts';
import { adminRoutes } from './web/pages/admin/routes.ts';
import { apiRoutes } from './web/api/leaderboard.ts';
import { otlpRoutes } from './web/api/otlp.ts';
import { loginRoutes } from './web/pages/login.ts';
import { githubAuthRoutes } from './web/pages/github-auth.ts';
import { securityHeaders } from './web/middleware/security-headers.ts';
import { sessionMiddleware } from './web/middleware/session.ts';
import { withViewContext } from './web/render.ts';
import { mountRoutes, type Route } from './web/route.ts';

/** Every route the server answers, each declared once with its access rule, body and input (src/web/route.ts). */
export function createRoutes(s: Services): Route[] {
  return [...systemRoutes(s), ...ingestRoutes(s), ...otlpRoutes(s), ...loginRoutes(s), ...githubAuthRoutes(s),
    ...leaderboardRoutes(s), ...profileRoutes(s), ...settingsRoutes(s), ...apiRoutes(s), ...teamRoutes(s), ...adminRoutes(s)] as Route[];
}

export function createApp(s: Services): Koa {
  // Behind a load balancer, the client's address is in X-Forwarded-For (server.trust_proxy):
  // its last entry, the one our proxy appended (earlier ones are whatever the client sent).
  const app = new Koa({ proxy: s.cfg.server.trust_proxy, maxIpsCount: 1 });
  const views = createViews({ orgName: s.cfg.org.name });
  app.silent = true;
  // Org settings saved on another replica (or by the CLI) apply from this request on: the
  // leaderboard's visibility, the day an event falls on. One small read of the versions.
  app.use(async (_ctx, next) => {
    await s.refreshSettings();
    await next();
  });
  app.use(async (ctx, next) => {
    // The org name can change in the admin panel: read it per render, not once at start.
    ctx.state.render = (template: string, data: Record<string, unknown> = {}) => views.render(template, { orgName: s.settings().name, ...data });
    await next();
  });
  // The access log wraps the error handler so it records the status actually sent.
  app.use(accessLog(s.log));
  app.use(errorHandler(s.log));
  app.use(securityHeaders(s.cfg));
  app.use(serve(PUBLIC_DIR, { maxage: 3600_000, index: false, defer: false }));
  app.use(sessionMiddleware(app, s.cfg, s.db));
  app.use(withViewContext());
  // Each route runs the chain: who is asking → its access rule → its body → CSRF → its
  // input schema → its handler.
  const router = mountRoutes(s, createRoutes(s));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
