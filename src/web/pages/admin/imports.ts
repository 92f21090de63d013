// /admin/imports: provider Admin keys (sealed, shown by their last 4), starting an import
// (created here, run in the background of the server), the job page whose status part
// htmx polls while the job runs, resuming a job a restart cut short, and assigning usage
// nobody could be matched to.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { BadInput, NotFound } from '../../../errors.ts';
import { removeAdminKey, saveAdminKey } from '../../../imports/keys.ts';
import { vendorOf, type Provider } from '../../../imports/vendors.ts';
import { resumeImport, startImport } from '../../../imports/background.ts';
import { assignIdentity } from '../../../imports/mapping.ts';
import { importsAdminView, jobView } from '../../../imports/admin-view.ts';
import { page } from '../../render.ts';
import { renderShape } from '../../fragments.ts';
import { presentImports, presentJob } from '../../presenters/admin/imports.ts';
import { actorOf, adminNav, field, inlineError, noStore, queryOf, seeOther, type FieldError } from './common.ts';

const today = () => new Date().toISOString().slice(0, 10);

function notice(ctx: Context): string | null {
  switch (queryOf(ctx, 'done')) {
    case 'key': return 'Key saved (encrypted; only its last 4 characters are shown).';
    case 'key-removed': return 'Key removed: imports and the daily sync for that vendor stop until a new one is stored.';
    case 'assigned': return `Assigned: ${Number(queryOf(ctx, 'moved')) || 0} waiting usage record(s) moved to that person; future imports follow the mapping.`;
    default: return null;
  }
}

async function show(s: Services, ctx: Context, o: { error?: FieldError | null; errorIn?: 'key' | 'start' | 'assign'; draft?: Record<string, string> } = {}): Promise<void> {
  const imports = presentImports(await importsAdminView(s), { today: today(), ...o, notice: notice(ctx) });
  noStore(ctx);
  await page(ctx, 'pages/admin/imports.njk', { title: 'Imports · Admin', admin_nav: adminNav('imports'), imports });
}

function provider(ctx: Context): Provider {
  return vendorOf(field(ctx, 'provider')).id;
}

function jobId(ctx: Context): number {
  const id = Number(ctx.params.id);
  if (!Number.isInteger(id) || id < 1) throw new NotFound('no such import job');
  return id;
}

export function adminImportsRouter(s: Services): Router {
  const router = new Router();
  router.get('/admin/imports', (ctx: Context) => show(s, ctx));

  router.post('/admin/imports/keys', async (ctx: Context) => {
    try {
      await saveAdminKey(s.db, s.adminSealer, provider(ctx), field(ctx, 'key'), actorOf(ctx));
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      // The key itself is never sent back into the page.
      return show(s, ctx, { error, errorIn: 'key', draft: { key_provider: field(ctx, 'provider') } });
    }
    seeOther(ctx, '/admin/imports?done=key');
  });

  router.post('/admin/imports/keys/remove', async (ctx: Context) => {
    await removeAdminKey(s.db, provider(ctx), actorOf(ctx));
    seeOther(ctx, '/admin/imports?done=key-removed');
  });

  router.post('/admin/imports', async (ctx: Context) => {
    const draft = { provider: field(ctx, 'provider'), from: field(ctx, 'from'), to: field(ctx, 'to') };
    let id: number;
    try {
      id = await startImport(s, draft.provider, draft.from, draft.to, actorOf(ctx));
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      return show(s, ctx, { error, errorIn: 'start', draft });
    }
    seeOther(ctx, `/admin/imports/jobs/${id}`);
  });

  router.get('/admin/imports/jobs/:id', async (ctx: Context) => {
    const job = await jobView(s, jobId(ctx));
    if (!job) throw new NotFound('no such import job');
    await renderShape(ctx, { page: 'pages/admin/import-job.njk', fragments: { 'job-status': 'partials/admin/job-status.njk' } },
      { title: `Import ${job.id} · Admin`, admin_nav: adminNav('imports'), job: presentJob(job) });
  });

  router.post('/admin/imports/jobs/:id/resume', async (ctx: Context) => {
    const id = jobId(ctx);
    await resumeImport(s, id, actorOf(ctx));
    seeOther(ctx, `/admin/imports/jobs/${id}`);
  });

  router.post('/admin/imports/assign', async (ctx: Context) => {
    // The unmapped list sends "kind id" in one field; the free-form mapping sends them apart.
    const picked = field(ctx, 'identity');
    const space = picked.indexOf(' ');
    const [kind, externalId] = picked && space > 0 ? [picked.slice(0, space), picked.slice(space + 1)] : [field(ctx, 'kind'), field(ctx, 'external_id')];
    let moved: number;
    try {
      moved = await assignIdentity(s, kind, externalId, field(ctx, 'login'), actorOf(ctx));
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      return show(s, ctx, { error, errorIn: 'assign', draft: { kind, external_id: externalId, login: field(ctx, 'login') } });
    }
    seeOther(ctx, `/admin/imports?done=assigned&moved=${moved}`);
  });
  return router;
}
