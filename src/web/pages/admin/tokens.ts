// /admin/tokens: every agent token with its owner, name, created and last-used times; revoke.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { listTokensWithOwners, revokeTokenById } from '../../../users/tokens.ts';
import { page } from '../../render.ts';
import { FORM } from '../../body.ts';
import { route } from '../../route.ts';
import { id, oneOf, request } from '../../schema.ts';
import { presentTokens } from '../../presenters/admin/users.ts';
import { ADMIN, actorOf, adminNav, isHtmx, noStore, seeOther } from './common.ts';

export function adminTokensRoutes(s: Services) {
  return [
    route({
      method: 'GET', path: '/admin/tokens', access: ADMIN, input: request({ query: { done: oneOf(['revoked']) } }),
      async handler(ctx: Context, { query }) {
        const tokens = presentTokens(await listTokensWithOwners(s.db));
        noStore(ctx);
        await page(ctx, 'pages/admin/tokens.njk', {
          title: 'Agent tokens · Admin', admin_nav: adminNav('tokens'), tokens, live: tokens.filter((t) => !t.revoked).length,
          notice: query.done === 'revoked' ? 'Token revoked: agents using it can no longer send usage.' : null,
        });
      },
    }),
    route({
      method: 'POST', path: '/admin/tokens/:id/revoke', access: ADMIN, body: FORM, input: request({ params: { id } }),
      async handler(ctx: Context, { params }) {
        await revokeTokenById(s.db, params.id, actorOf(ctx));
        if (isHtmx(ctx)) {
          noStore(ctx);
          const t = presentTokens(await listTokensWithOwners(s.db)).find((x) => x.id === params.id);
          ctx.type = 'html';
          ctx.body = t ? await ctx.state.render('partials/admin/token-row.njk', { t }) : '';
          return;
        }
        seeOther(ctx, '/admin/tokens?done=revoked');
      },
    }),
  ];
}
