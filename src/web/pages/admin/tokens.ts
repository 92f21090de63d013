// /admin/tokens: every agent token with its owner, name, created and last-used times; revoke.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { BadInput } from '../../../errors.ts';
import { listTokensWithOwners, revokeTokenById } from '../../../users/tokens.ts';
import { page } from '../../render.ts';
import { presentTokens } from '../../presenters/admin/users.ts';
import { actorOf, adminNav, isHtmx, noStore, queryOf, seeOther } from './common.ts';

export function adminTokensRouter(s: Services): Router {
  const router = new Router();

  router.get('/admin/tokens', async (ctx: Context) => {
    const tokens = presentTokens(await listTokensWithOwners(s.db));
    noStore(ctx);
    await page(ctx, 'pages/admin/tokens.njk', {
      title: 'Agent tokens · Admin', admin_nav: adminNav('tokens'), tokens, live: tokens.filter((t) => !t.revoked).length,
      notice: queryOf(ctx, 'done') === 'revoked' ? 'Token revoked: agents using it can no longer send usage.' : null,
    });
  });

  router.post('/admin/tokens/:id/revoke', async (ctx: Context) => {
    const id = Number(ctx.params.id);
    if (!Number.isInteger(id) || id < 1) throw new BadInput('id: a token id');
    await revokeTokenById(s.db, id, actorOf(ctx));
    if (isHtmx(ctx)) {
      noStore(ctx);
      const t = presentTokens(await listTokensWithOwners(s.db)).find((x) => x.id === id);
      ctx.type = 'html';
      ctx.body = t ? await ctx.state.render('partials/admin/token-row.njk', { t }) : '';
      return;
    }
    seeOther(ctx, '/admin/tokens?done=revoked');
  });
  return router;
}
