// Adding people on /admin/users. "Add a person" makes one account and hands over a
// one-time sign-in link (local mode) or says how a GitHub org member gets in; the link
// reaches the page sealed in a flash (POST → 303 → GET, shown once). "Add several" takes a
// pasted list or CSV: every line is checked first, and a bad line adds nobody and comes
// back with the text as pasted. Its result (with a link per person in local mode) is the
// answer to the POST itself: a flash cookie cannot hold a long list, and sending the form
// again only finds everyone already there.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { githubConfigured } from '../../../config.ts';
import { addPeople, invitePerson, type BulkResult, type PersonDraft, type SignInMode } from '../../../admin/people.ts';
import { setFlash } from '../../flash.ts';
import { presentBulk, type Handover } from '../../presenters/admin/users.ts';
import { actorOf, field, inlineError, seeOther } from './common.ts';
import { HANDOVER, linkBaseOf, showUsers } from './users-page.ts';

const modeOf = (s: Services): SignInMode => (githubConfigured(s.cfg) ? 'github' : 'local');

export function peopleRoutes(s: Services, router: Router): void {
  router.post('/admin/users', async (ctx: Context) => {
    const draft: PersonDraft = { login: field(ctx, 'login'), name: field(ctx, 'name'), email: field(ctx, 'email'), role: field(ctx, 'role') };
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
  });

  router.post('/admin/users/bulk', async (ctx: Context) => {
    const text = ctx.state.form?.get('list') ?? '';
    const role = field(ctx, 'role') || 'member';
    let result: BulkResult;
    try {
      result = await addPeople(s.db, modeOf(s), text, role, actorOf(ctx), linkBaseOf(s, ctx));
    } catch (err) {
      const error = inlineError(err);
      result = { problems: [{ line: 0, text: '', message: error.message }], added: [], existing: [] };
    }
    if (result.problems.length) ctx.status = 400;
    // Refused: the text comes back as pasted. Done: the form is empty again.
    await showUsers(s, ctx, { forms: { bulk: { text: result.problems.length ? text : '', role, result: presentBulk(result, modeOf(s) === 'github') } } });
  });
}
