// createApp(services): the middleware order and the routers. Never listens.
import Koa from 'koa';
import type Router from '@koa/router';
import serve from 'koa-static';
import { PUBLIC_DIR } from './paths.ts';
import type { Services } from './services.ts';
import { accessLog } from './web/middleware/access-log.ts';
import { errorHandler } from './web/middleware/errors.ts';
import { createViews } from './web/views.ts';
import { ingestRouter } from './web/api/ingest.ts';
import { systemRouter } from './web/system.ts';
import { leaderboardRouter } from './web/pages/leaderboard.ts';
import { profileRouter } from './web/pages/profile.ts';
import { settingsRouter } from './web/pages/settings.ts';
import { teamRouter } from './web/pages/team.ts';
import { adminRouters } from './web/pages/admin/routers.ts';
import { leaderboardApiRouter } from './web/api/leaderboard.ts';
import { otlpRouter } from './web/api/otlp.ts';
import { loginRouter } from './web/pages/login.ts';
import { githubAuthRouter } from './web/pages/github-auth.ts';
import { securityHeaders } from './web/middleware/security-headers.ts';
import { sessionMiddleware } from './web/middleware/session.ts';
import { enforceAccess, resolveRoute } from './web/middleware/guard.ts';
import { currentUser } from './web/middleware/current-user.ts';
import { csrfProtection } from './web/middleware/csrf.ts';
import { withViewContext } from './web/render.ts';

/** Every router, in mounting order. Each of their routes needs an entry in src/web/access.ts. */
export function createRouters(s: Services): Router[] {
  return [systemRouter(s), ingestRouter(s), otlpRouter(s), loginRouter(s), githubAuthRouter(s),
    leaderboardRouter(s), profileRouter(s), settingsRouter(s), leaderboardApiRouter(s), teamRouter(s), ...adminRouters(s)];
}

export function createApp(s: Services): Koa {
  const app = new Koa({ proxy: false });
  const views = createViews({ orgName: s.cfg.org.name });
  app.silent = true;
  // Settings changed on another replica (or by the CLI) apply here within a second: one
  // version row read at most once a second, the settings themselves only when it moved.
  let settingsChecked = 0;
  app.use(async (_ctx, next) => {
    const now = Date.now();
    if (now - settingsChecked > 1000) {
      settingsChecked = now;
      await s.refreshSettings();
    }
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
  // Sign-in and authorization (issue 4): the route's access rule → the current user (a
  // session cookie, re-read every request) → the access table → CSRF on state changes.
  const routers = createRouters(s);
  app.use(sessionMiddleware(app, s.cfg, s.db));
  app.use(resolveRoute(routers));
  app.use(withViewContext());
  app.use(currentUser(s));
  app.use(enforceAccess(s));
  app.use(csrfProtection());
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
