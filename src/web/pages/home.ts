// GET /: until sign-in and the leaderboard land, a page that says the server is up and
// how to get started.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../services.ts';

export function homeRouter(s: Services): Router {
  const router = new Router();
  router.get('/', async (ctx: Context) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await ctx.state.render('pages/home.njk', { title: 'TokenBoard', baseUrl: s.cfg.server.base_url });
  });
  return router;
}
