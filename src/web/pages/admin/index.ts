// /admin: the panel's start page — one tile per section with the number that needs attention.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { adminOverview } from '../../../admin/overview.ts';
import { page } from '../../render.ts';
import { adminNav, noStore } from './common.ts';

export function adminIndexRouter(s: Services): Router {
  const router = new Router();
  router.get('/admin', async (ctx: Context) => {
    const o = await adminOverview(s.db);
    noStore(ctx);
    await page(ctx, 'pages/admin/index.njk', { title: 'Admin', admin_nav: adminNav(''), o, settings: s.settings() });
  });
  return router;
}
