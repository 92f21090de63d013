// /admin/alerts: alert destinations (add, send a test, delete) and the delivery log (retry
// now). Plain forms (POST → 303 → GET). A generated signing secret and the outcome of a
// test travel to the page in the sealed one-shot flash: the secret is shown once, never
// put in a URL.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { BadInput } from '../../../errors.ts';
import { addDestination, alertsAdminView, removeDestination, retryDelivery, testDestination } from '../../../alerts/destinations.ts';
import type { Attempted } from '../../../alerts/deliver.ts';
import { page } from '../../render.ts';
import { setFlash, takeFlash } from '../../flash.ts';
import { presentAlertsPage, type DestinationForm } from '../../presenters/admin/alerts.ts';
import { actorOf, adminNav, field, formOf, inlineError, noStore, seeOther, type FieldError } from './common.ts';

const FLASH = 'alerts.result';
interface Result { notice: string; secret?: { id: number; secret: string } }

function idParam(ctx: Context, what: string): number {
  const id = Number(ctx.params.id);
  if (!Number.isInteger(id) || id < 1) throw new BadInput(`${what}: not an id`);
  return id;
}

function said(a: Attempted | null, what: string): string {
  if (!a) return `${what}: another server process is sending it; see the log below.`;
  if (a.outcome === 'delivered') return `${what}: delivered (HTTP ${a.http_status}).`;
  return `${what}: not delivered (${a.error}).${a.outcome === 'retry' ? ' It is retried with backoff; see the log below.' : ''}`;
}

export function adminAlertsRouter(s: Services): Router {
  const router = new Router();
  const show = async (ctx: Context, o: { add?: { form: DestinationForm; error: FieldError | null } } = {}) => {
    const result = takeFlash<Result>(ctx, s, FLASH);
    const view = await alertsAdminView(s);
    noStore(ctx);
    await page(ctx, 'pages/admin/alerts.njk', { title: 'Alerts · Admin', admin_nav: adminNav('alerts'), a: presentAlertsPage(view, { ...o, notice: result?.notice, secret: result?.secret }) });
  };

  router.get('/admin/alerts', (ctx: Context) => show(ctx));

  router.post('/admin/alerts', async (ctx: Context) => {
    const form: DestinationForm = { kind: field(ctx, 'kind'), url: field(ctx, 'url'), secret: field(ctx, 'secret'), events: formOf(ctx).getAll('events') };
    let made;
    try {
      // No box ticked is "nothing", not "everything": say so rather than subscribe to all.
      if (form.events.length === 0) throw new BadInput('events: tick at least one kind of alert');
      made = await addDestination(s, { kind: form.kind, url: form.url, secret: form.secret, events: form.events }, actorOf(ctx));
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      return show(ctx, { add: { form, error } });
    }
    setFlash<Result>(ctx, s, FLASH, {
      notice: `Destination added: ${made.destination.kind} ${made.destination.url_hint}. Send it a test below.`,
      secret: made.generated_secret ? { id: made.destination.id, secret: made.generated_secret } : undefined,
    });
    seeOther(ctx, '/admin/alerts#destinations');
  });

  router.post('/admin/alerts/:id/test', async (ctx: Context) => {
    const a = await testDestination(s, idParam(ctx, 'destination'), actorOf(ctx));
    setFlash<Result>(ctx, s, FLASH, { notice: said(a, 'Test alert') });
    seeOther(ctx, '/admin/alerts#destinations');
  });

  router.post('/admin/alerts/:id/delete', async (ctx: Context) => {
    await removeDestination(s, idParam(ctx, 'destination'), actorOf(ctx));
    setFlash<Result>(ctx, s, FLASH, { notice: 'Destination deleted, with its deliveries.' });
    seeOther(ctx, '/admin/alerts#destinations');
  });

  router.post('/admin/alerts/deliveries/:id/retry', async (ctx: Context) => {
    const a = await retryDelivery(s, idParam(ctx, 'delivery'));
    setFlash<Result>(ctx, s, FLASH, { notice: said(a, 'Retry') });
    seeOther(ctx, '/admin/alerts#log');
  });
  return router;
}
