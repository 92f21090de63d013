// /admin: the panel's start page — one tile per section with the number that needs attention.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { adminOverview } from '../../../admin/overview.ts';
import { page } from '../../render.ts';
import { route } from '../../route.ts';
import { ADMIN, adminNav, noStore } from './common.ts';

export function adminIndexRoutes(s: Services) {
  return [
    route({
      method: 'GET', path: '/admin', access: ADMIN,
      async handler(ctx: Context) {
        const o = await adminOverview(s.db);
        noStore(ctx);
        await page(ctx, 'pages/admin/index.njk', { title: 'Admin', admin_nav: adminNav(''), o, settings: s.settings() });
      },
    }),
  ];
}
