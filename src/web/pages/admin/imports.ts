// /admin/imports: provider Admin keys (sealed, shown by their last 4), starting an import
// (created here, run in the background of the server), the job page whose status part
// htmx polls while the job runs, resuming a job a restart cut short, and assigning usage
// nobody could be matched to.
import type { Context } from 'koa';
import * as v from 'valibot';
import type { Services } from '../../../services.ts';
import { NotFound } from '../../../errors.ts';
import { removeAdminKey, saveAdminKey } from '../../../imports/keys.ts';
import { vendorOf, type Provider } from '../../../imports/vendors.ts';
import { resumeImport, startImport } from '../../../imports/background.ts';
import { assignIdentity } from '../../../imports/mapping.ts';
import { importsAdminView, jobView } from '../../../imports/admin-view.ts';
import { page } from '../../render.ts';
import { renderShape } from '../../fragments.ts';
import { FORM } from '../../body.ts';
import { route } from '../../route.ts';
import { id, oneOf, raw, request, typed } from '../../schema.ts';
import { presentImports, presentJob } from '../../presenters/admin/imports.ts';
import { ADMIN, actorOf, adminNav, inlineError, noStore, seeOther, type FieldError } from './common.ts';

const today = () => new Date().toISOString().slice(0, 10);

const IMPORTS_QUERY = { done: oneOf(['key', 'key-removed', 'assigned']), moved: typed(12) };
type ImportsQuery = { done: 'key' | 'key-removed' | 'assigned' | null; moved: string };

function notice(q: ImportsQuery | undefined): string | null {
  switch (q?.done) {
    case 'key': return 'Key saved (encrypted; only its last 4 characters are shown).';
    case 'key-removed': return 'Key removed: imports and the daily sync for that vendor stop until a new one is stored.';
    case 'assigned': return `Assigned: ${Number(q.moved) || 0} waiting usage record(s) moved to that person; future imports follow the mapping.`;
    default: return null;
  }
}

interface ShowOptions { query?: ImportsQuery; error?: FieldError | null; errorIn?: 'key' | 'start' | 'assign'; draft?: Record<string, string> }

async function show(s: Services, ctx: Context, o: ShowOptions = {}): Promise<void> {
  const { query, ...rest } = o;
  const imports = presentImports(await importsAdminView(s), { today: today(), ...rest, notice: notice(query) });
  noStore(ctx);
  await page(ctx, 'pages/admin/imports.njk', { title: 'Imports · Admin', admin_nav: adminNav('imports'), imports });
}

const providerOf = (p: string): Provider => vendorOf(p).id;

// A job id that is not one is the same 404 as a job that is gone.
const jobInput = request({ params: { id: v.fallback(id, 0) } });
const jobId = (n: number): number => {
  if (!n) throw new NotFound('no such import job');
  return n;
};

export function adminImportsRoutes(s: Services) {
  return [
    route({
      method: 'GET', path: '/admin/imports', access: ADMIN, input: request({ query: IMPORTS_QUERY }),
      handler: (ctx: Context, { query }) => show(s, ctx, { query }),
    }),
    route({
      method: 'POST', path: '/admin/imports/keys', access: ADMIN, body: FORM,
      // The key is kept as pasted (the domain trims and checks it); the provider is one of the list.
      input: request({ body: { provider: typed(40), key: raw(4096) } }),
      async handler(ctx: Context, { body }) {
        try {
          await saveAdminKey(s.db, s.adminSealer, providerOf(body.provider), body.key, actorOf(ctx));
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          // The key itself is never sent back into the page.
          return show(s, ctx, { error, errorIn: 'key', draft: { key_provider: body.provider } });
        }
        seeOther(ctx, '/admin/imports?done=key');
      },
    }),
    route({
      method: 'POST', path: '/admin/imports/keys/remove', access: ADMIN, body: FORM,
      input: request({ body: { provider: typed(40) } }),
      async handler(ctx: Context, { body }) {
        await removeAdminKey(s.db, providerOf(body.provider), actorOf(ctx));
        seeOther(ctx, '/admin/imports?done=key-removed');
      },
    }),
    route({
      method: 'POST', path: '/admin/imports', access: ADMIN, body: FORM,
      input: request({ body: { provider: typed(40), from: typed(40), to: typed(40) } }),
      async handler(ctx: Context, { body: draft }) {
        let started: number;
        try {
          started = await startImport(s, draft.provider, draft.from, draft.to, actorOf(ctx));
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          return show(s, ctx, { error, errorIn: 'start', draft });
        }
        seeOther(ctx, `/admin/imports/jobs/${started}`);
      },
    }),
    route({
      method: 'GET', path: '/admin/imports/jobs/:id', access: ADMIN, input: jobInput,
      async handler(ctx: Context, { params }) {
        const job = await jobView(s, jobId(params.id));
        if (!job) throw new NotFound('no such import job');
        await renderShape(ctx, { page: 'pages/admin/import-job.njk', fragments: { 'job-status': 'partials/admin/job-status.njk' } },
          { title: `Import ${job.id} · Admin`, admin_nav: adminNav('imports'), job: presentJob(job) });
      },
    }),
    route({
      method: 'POST', path: '/admin/imports/jobs/:id/resume', access: ADMIN, body: FORM, input: jobInput,
      async handler(ctx: Context, { params }) {
        const job = jobId(params.id);
        await resumeImport(s, job, actorOf(ctx));
        seeOther(ctx, `/admin/imports/jobs/${job}`);
      },
    }),
    route({
      method: 'POST', path: '/admin/imports/assign', access: ADMIN, body: FORM,
      input: request({ body: { identity: typed(300), kind: typed(40), external_id: typed(256), login: typed(200) } }),
      async handler(ctx: Context, { body }) {
        // The unmapped list sends "kind id" in one field; the free-form mapping sends them apart.
        const space = body.identity.indexOf(' ');
        const [kind, externalId] = body.identity && space > 0 ? [body.identity.slice(0, space), body.identity.slice(space + 1)] : [body.kind, body.external_id];
        let moved: number;
        try {
          moved = await assignIdentity(s, kind, externalId, body.login, actorOf(ctx));
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          return show(s, ctx, { error, errorIn: 'assign', draft: { kind, external_id: externalId, login: body.login } });
        }
        seeOther(ctx, `/admin/imports?done=assigned&moved=${moved}`);
      },
    }),
  ];
}
