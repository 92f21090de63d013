// /admin/audit: every admin action, newest first, filterable by actor and kind (or a kind
// family such as price.*). A GET form, so a filtered view is a link.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { auditView } from '../../../admin/audit.ts';
import { renderShape } from '../../fragments.ts';
import { presentAudit } from '../../presenters/admin/audit.ts';
import { adminNav, queryOf } from './common.ts';

export function adminAuditRouter(s: Services): Router {
  const router = new Router();
  router.get('/admin/audit', async (ctx: Context) => {
    const filter = { actor: queryOf(ctx, 'actor') || null, kind: queryOf(ctx, 'kind') || null };
    const audit = presentAudit(await auditView(s.db, { ...filter, limit: 500 }), filter);
    await renderShape(ctx, { page: 'pages/admin/audit.njk', fragments: { 'audit-table': 'partials/admin/audit-table.njk' } }, { title: 'Audit log · Admin', admin_nav: adminNav('audit'), audit });
  });
  return router;
}
