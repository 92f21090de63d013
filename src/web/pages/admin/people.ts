// Adding people on /admin/users. "Add a person" makes one account and hands over a
// one-time sign-in link (local mode) or says how a GitHub org member gets in; the link
// reaches the page sealed in a flash (POST → 303 → GET, shown once). "Add several" takes a
// pasted list or CSV: every line is checked first, and a bad line adds nobody and comes
// back with the text as pasted. Its result (with a link per person in local mode) is the
// answer to the POST itself: a flash cannot hold a long list, and sending the form again
// only finds everyone already there.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { githubConfigured } from '../../../config.ts';
import { addPeople, invitePerson, type BulkResult, type SignInMode } from '../../../admin/people.ts';
import { setFlash } from '../../flash.ts';
import { FORM, LIST_FORM } from '../../body.ts';
import { route } from '../../route.ts';
import { raw, request, typed } from '../../schema.ts';
import { presentBulk, type Handover } from '../../presenters/admin/users.ts';
import { ADMIN, actorOf, inlineError, seeOther } from './common.ts';
import { HANDOVER, linkBaseOf, showUsers } from './users-page.ts';

const modeOf = (s: Services): SignInMode => (githubConfigured(s.cfg) ? 'github' : 'local');

export function peopleRoutes(s: Services) {
  return [
    route({
      method: 'POST', path: '/admin/users', access: ADMIN, body: FORM,
      // The shape only: invitePerson words what is wrong with a login, an email or a role.
      input: request({ body: { login: typed(200), name: typed(500), email: typed(500), role: typed(40) } }),
      async handler(ctx: Context, { body: draft }) {
        const mode = modeOf(s);
        let added;
        try {
          added = await invitePerson(s.db, mode, draft, actorOf(ctx), linkBaseOf(s, ctx));
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          return showUsers(s, ctx, { forms: { add: { draft, error } } });
        }
        setFlash<Handover>(ctx, s, HANDOVER, {
          login: added.login, added: true, role: added.role, github: mode === 'github',
          url: added.link?.url ?? null, expires: added.link?.expires_at.toISOString() ?? null,
        });
        seeOther(ctx, '/admin/users#handover');
      },
    }),
    route({
      method: 'POST', path: '/admin/users/bulk', access: ADMIN, body: LIST_FORM,
      input: request({ body: { list: raw(LIST_FORM.limit), role: typed(40) } }),
      async handler(ctx: Context, { body }) {
        const role = body.role || 'member';
        let result: BulkResult;
        try {
          result = await addPeople(s.db, modeOf(s), body.list, role, actorOf(ctx), linkBaseOf(s, ctx));
        } catch (err) {
          const error = inlineError(err);
          result = { problems: [{ line: 0, text: '', message: error.message }], added: [], existing: [] };
        }
        if (result.problems.length) ctx.status = 400;
        // Refused: the text comes back as pasted. Done: the form is empty again.
        await showUsers(s, ctx, { forms: { bulk: { text: result.problems.length ? body.list : '', role, result: presentBulk(result, modeOf(s) === 'github') } } });
      },
    }),
  ];
}
