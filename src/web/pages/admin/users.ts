// /admin/users: search, role change, deactivate/reactivate, delete with typed confirmation,
// one-time sign-in links. Every action is a plain form (POST → 303) that htmx upgrades to
// swapping just the person's row; a refused action shows its message in that row.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { deactivateUser, deleteUser, listUsers, reactivateUser, setRole } from '../../../admin/users.ts';
import { requireUser } from '../../../users/users.ts';
import { createLoginLink, linkBase } from '../../../auth/login-links.ts';
import { page } from '../../render.ts';
import { presentUserRow } from '../../presenters/admin/users.ts';
import { baseUrl } from '../profile.ts';
import { actorOf, adminNav, field, inlineError, isHtmx, noStore, queryOf, seeOther, type FieldError } from './common.ts';

const NOTICES: Record<string, string> = {
  role: 'Role changed.', deactivated: 'Deactivated: their agent tokens are revoked and they no longer appear on the pages.',
  reactivated: 'Reactivated. Their old tokens stay revoked; they create new ones in their settings.', deleted: 'Deleted, with all their usage.',
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

  const show = async (ctx: Context, extra: { rowError?: { login: string; error: FieldError }; link?: { login: string; url: string; expires: string } } = {}) => {
    const q = queryOf(ctx, 'q') || field(ctx, 'q');
    const viewer = actorOf(ctx).login;
    const users = (await listUsers(s.db, { q })).map((u) => presentUserRow(u, viewer, extra.rowError && extra.rowError.login.toLowerCase() === u.login.toLowerCase() ? extra.rowError.error : null));
    const done = queryOf(ctx, 'done');
    // A refusal about someone not on this page (no such login) is shown above the table.
    const pageError = extra.rowError && !users.some((u) => u.error) ? extra.rowError.error : null;
    noStore(ctx);
    await page(ctx, 'pages/admin/users.njk', { title: 'Users · Admin', admin_nav: adminNav('users'), q, users, notice: NOTICES[done] ?? null, link: extra.link ?? null, page_error: pageError });
  };

  router.get('/admin/users', (ctx: Context) => show(ctx));

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
        ctx.body = u ? await ctx.state.render('partials/admin/user-row.njk', { u: presentUserRow(u, actorOf(ctx).login, error) }) : '';
        return;
      }
      if (error) {
        ctx.status = error.status;
        return show(ctx, { rowError: { login, error } });
      }
      const q = field(ctx, 'q');
      seeOther(ctx, `/admin/users?done=${action.done}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    });
  }

  router.post('/admin/users/:login/login-link', async (ctx: Context) => {
    const user = await requireUser(s.db, String(ctx.params.login));
    const link = await createLoginLink(s.db, user, linkBase(s.cfg, baseUrl(s, ctx)), actorOf(ctx));
    // The link signs someone in: shown once, never cached.
    await show(ctx, { link: { login: user.login, url: link.url, expires: link.expires_at.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' } });
  });
  return router;
}
