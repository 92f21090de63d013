// /admin/audit: every admin action, newest first, filterable by actor and kind (or a kind
// family such as price.*). A GET form, so a filtered view is a link.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { auditView } from '../../../admin/audit.ts';
import { renderShape } from '../../fragments.ts';
import { route } from '../../route.ts';
import { request, text } from '../../schema.ts';
import { presentAudit } from '../../presenters/admin/audit.ts';
import { ADMIN, adminNav } from './common.ts';

export function adminAuditRoutes(s: Services) {
  return [
    route({
      method: 'GET', path: '/admin/audit', access: ADMIN, input: request({ query: { actor: text(100), kind: text(100) } }),
      async handler(ctx: Context, { query: filter }) {
        const audit = presentAudit(await auditView(s.db, { ...filter, limit: 500 }), filter);
        await renderShape(ctx, { page: 'pages/admin/audit.njk', fragments: { 'audit-table': 'partials/admin/audit-table.njk' } }, { title: 'Audit log · Admin', admin_nav: adminNav('audit'), audit });
      },
    }),
  ];
}
