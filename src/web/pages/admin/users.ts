// /admin/users: search, adding people (./people.ts), role change, deactivate/reactivate,
// delete with typed confirmation, one-time sign-in links. Every action is a plain form
// (POST → 303) that htmx upgrades to swapping just the person's row; a refused action shows
// its message in that row, a role change says it is saved there.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { deactivateUser, deleteUser, listUsers, reactivateUser, setRole } from '../../../admin/users.ts';
import { requireUser } from '../../../users/users.ts';
import { createLoginLink } from '../../../auth/login-links.ts';
import { setFlash } from '../../flash.ts';
import { FORM } from '../../body.ts';
import { route } from '../../route.ts';
import { request, required, typed } from '../../schema.ts';
import { presentUserRow, type Handover, type RowSaved } from '../../presenters/admin/users.ts';
import { ADMIN, actorOf, inlineError, isHtmx, noStore, seeOther, type FieldError } from './common.ts';
import { peopleRoutes } from './people.ts';
import { HANDOVER, linkBaseOf, showUsers, USERS_QUERY, type Done } from './users-page.ts';

/** What a row says after an htmx action went through, and in which cell. */
const ROW_NOTICES: Partial<Record<Done, RowSaved>> = {
  role: { cell: 'role', text: 'Role saved' },
  deactivated: { cell: 'status', text: 'Deactivated, tokens revoked' },
  reactivated: { cell: 'status', text: 'Reactivated' },
};

/** Every action's form: the search to come back to, the new role, the typed confirmation. */
interface ActionForm { q: string; role: string; confirm: string }
type Action = (s: Services, ctx: Context, login: string, form: ActionForm) => Promise<unknown>;

const ACTIONS: Record<string, { run: Action; done: Done }> = {
  role: { run: (s, ctx, login, f) => setRole(s.db, login, f.role, actorOf(ctx)), done: 'role' },
  deactivate: { run: (s, ctx, login) => deactivateUser(s.db, login, actorOf(ctx)), done: 'deactivated' },
  reactivate: { run: (s, ctx, login) => reactivateUser(s.db, login, actorOf(ctx)), done: 'reactivated' },
  delete: { run: (s, ctx, login, f) => deleteUser(s.db, login, f.confirm, actorOf(ctx)), done: 'deleted' },
};

const LOGIN = { login: required(200) };
const ACTION_INPUT = request({ params: LOGIN, body: { q: typed(200), role: typed(40), confirm: typed(200) } });

export function adminUsersRoutes(s: Services) {
  const actions = Object.entries(ACTIONS).map(([name, action]) => route({
    method: 'POST', path: `/admin/users/:login/${name}`, access: ADMIN, body: FORM, input: ACTION_INPUT,
    async handler(ctx: Context, { params: { login }, body }) {
      let error: FieldError | null = null;
      try {
        await action.run(s, ctx, login, body);
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
        return showUsers(s, ctx, { q: body.q, rowError: { login, error } });
      }
      seeOther(ctx, `/admin/users?done=${action.done}${body.q ? `&q=${encodeURIComponent(body.q)}` : ''}#user-${encodeURIComponent(login)}`);
    },
  }));
  return [
    route({
      method: 'GET', path: '/admin/users', access: ADMIN, input: request({ query: USERS_QUERY }),
      handler: (ctx: Context, { query }) => showUsers(s, ctx, query),
    }),
    ...peopleRoutes(s),
    ...actions,
    route({
      method: 'POST', path: '/admin/users/:login/login-link', access: ADMIN, body: FORM, input: request({ params: LOGIN }),
      async handler(ctx: Context, { params }) {
        const user = await requireUser(s.db, params.login);
        const link = await createLoginLink(s.db, user, linkBaseOf(s, ctx), actorOf(ctx));
        // The link signs someone in: it reaches the page sealed, is shown once, never cached.
        setFlash<Handover>(ctx, s, HANDOVER, { login: user.login, added: false, role: user.role, github: false, url: link.url, expires: link.expires_at.toISOString() });
        seeOther(ctx, '/admin/users#handover');
      },
    }),
  ];
}
