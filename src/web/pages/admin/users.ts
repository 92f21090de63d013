// /admin/users: search, adding people (./people.ts), role change, deactivate/reactivate,
// delete with typed confirmation, one-time sign-in links. Every action is a plain form
// (POST → 303) that htmx upgrades to swapping just the person's row; a refused action shows
// its message in that row, a role change says it is saved there.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { deactivateUser, deleteUser, listUsers, reactivateUser, setRole } from '../../../admin/users.ts';
import { requireUser } from '../../../users/users.ts';
import { createLoginLink } from '../../../auth/login-links.ts';
import { setFlash } from '../../flash.ts';
import { presentUserRow, type Handover, type RowSaved } from '../../presenters/admin/users.ts';
import { actorOf, field, inlineError, isHtmx, noStore, seeOther, type FieldError } from './common.ts';
import { peopleRoutes } from './people.ts';
import { HANDOVER, linkBaseOf, showUsers } from './users-page.ts';

/** What a row says after an htmx action went through, and in which cell. */
const ROW_NOTICES: Record<string, RowSaved> = {
  role: { cell: 'role', text: 'Role saved' },
  deactivated: { cell: 'status', text: 'Deactivated, tokens revoked' },
  reactivated: { cell: 'status', text: 'Reactivated' },
};

type Action = (s: Services, ctx: Context, login: string) => Promise<unknown>;

const ACTIONS: Record<string, { run: Action; done: string }> = {
  role: { run: (s, ctx, login) => setRole(s.db, login, field(ctx, 'role'), actorOf(ctx)), done: 'role' },
  deactivate: { run: (s, ctx, login) => deactivateUser(s.db, login, actorOf(ctx)), done: 'deactivated' },
  reactivate: { run: (s, ctx, login) => reactivateUser(s.db, login, actorOf(ctx)), done: 'reactivated' },
  delete: { run: (s, ctx, login) => deleteUser(s.db, login, field(ctx, 'confirm'), actorOf(ctx)), done: 'deleted' },
};

export function adminUsersRouter(s: Services): Router {
  const router = new Router();

  router.get('/admin/users', (ctx: Context) => showUsers(s, ctx));
  peopleRoutes(s, router);

  for (const [name, action] of Object.entries(ACTIONS)) {
    router.post(`/admin/users/:login/${name}`, async (ctx: Context) => {
      const login = String(ctx.params.login);
      let error: FieldError | null = null;
      try {
        await action.run(s, ctx, login);
      } catch (err) {
        error = inlineError(err);
      }
      if (isHtmx(ctx)) {
        // htmx swaps 2xx answers only: the row comes back with its message either way.
        noStore(ctx);
        const u = (await listUsers(s.db, { q: login })).find((x) => x.login.toLowerCase() === login.toLowerCase());
        ctx.type = 'html';
        ctx.body = u ? await ctx.state.render('partials/admin/user-row.njk', { u: presentUserRow(u, actorOf(ctx).login, error, error ? null : ROW_NOTICES[action.done] ?? null) }) : '';
        return;
      }
      if (error) {
        ctx.status = error.status;
        return showUsers(s, ctx, { rowError: { login, error } });
      }
      const q = field(ctx, 'q');
      seeOther(ctx, `/admin/users?done=${action.done}${q ? `&q=${encodeURIComponent(q)}` : ''}#user-${encodeURIComponent(login)}`);
    });
  }

  router.post('/admin/users/:login/login-link', async (ctx: Context) => {
    const user = await requireUser(s.db, String(ctx.params.login));
    const link = await createLoginLink(s.db, user, linkBaseOf(s, ctx), actorOf(ctx));
    // The link signs someone in: it reaches the page sealed, is shown once, never cached.
    setFlash<Handover>(ctx, s, HANDOVER, { login: user.login, added: false, role: user.role, github: false, url: link.url, expires: link.expires_at.toISOString() });
    seeOther(ctx, '/admin/users#handover');
  });
  return router;
}
