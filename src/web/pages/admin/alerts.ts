// /admin/alerts: alert destinations (add, send a test, delete) and the delivery log (retry
// now). Plain forms (POST → 303 → GET). A generated signing secret and the outcome of a
// test travel to the page in the sealed one-shot flash: the secret is shown once, never
// put in a URL.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { BadInput } from '../../../errors.ts';
import { addDestination, alertsAdminView, removeDestination, retryDelivery, testDestination } from '../../../alerts/destinations.ts';
import type { Attempted } from '../../../alerts/deliver.ts';
import { page } from '../../render.ts';
import { setFlash, takeFlash } from '../../flash.ts';
import { FORM } from '../../body.ts';
import { route } from '../../route.ts';
import { id, list, raw, request, typed } from '../../schema.ts';
import { presentAlertsPage, type DestinationForm } from '../../presenters/admin/alerts.ts';
import { ADMIN, actorOf, adminNav, inlineError, noStore, seeOther, type FieldError } from './common.ts';

const FLASH = 'alerts.result';
interface Result { notice: string; secret?: { id: number; secret: string } }

function said(a: Attempted | null, what: string): string {
  if (!a) return `${what}: it is being sent right now (by this or another server process); see the log below.`;
  if (a.outcome === 'delivered') return `${what}: delivered (HTTP ${a.http_status}).`;
  return `${what}: not delivered (${a.error}).${a.outcome === 'retry' ? ' It is retried with backoff; see the log below.' : ''}`;
}

const byId = request({ params: { id } });

export function adminAlertsRoutes(s: Services) {
  const show = async (ctx: Context, o: { add?: { form: DestinationForm; error: FieldError | null } } = {}) => {
    const result = takeFlash<Result>(ctx, s, FLASH);
    const view = await alertsAdminView(s);
    noStore(ctx);
    await page(ctx, 'pages/admin/alerts.njk', { title: 'Alerts · Admin', admin_nav: adminNav('alerts'), a: presentAlertsPage(view, { ...o, notice: result?.notice, secret: result?.secret }) });
  };
  return [
    route({ method: 'GET', path: '/admin/alerts', access: ADMIN, handler: (ctx: Context) => show(ctx) }),
    route({
      method: 'POST', path: '/admin/alerts', access: ADMIN, body: FORM,
      // The URL and secret as pasted (the domain checks them); the events are the ticked boxes.
      input: request({ body: { kind: typed(20), url: raw(2048), secret: raw(512), events: list(40, 20) } }),
      async handler(ctx: Context, { body }) {
        const form: DestinationForm = { kind: body.kind, url: body.url, secret: body.secret, events: body.events };
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
      },
    }),
    route({
      method: 'POST', path: '/admin/alerts/:id/test', access: ADMIN, body: FORM, input: byId,
      async handler(ctx: Context, { params }) {
        const a = await testDestination(s, params.id, actorOf(ctx));
        setFlash<Result>(ctx, s, FLASH, { notice: said(a, 'Test alert') });
        seeOther(ctx, '/admin/alerts#destinations');
      },
    }),
    route({
      method: 'POST', path: '/admin/alerts/:id/delete', access: ADMIN, body: FORM, input: byId,
      async handler(ctx: Context, { params }) {
        await removeDestination(s, params.id, actorOf(ctx));
        setFlash<Result>(ctx, s, FLASH, { notice: 'Destination deleted, with its deliveries.' });
        seeOther(ctx, '/admin/alerts#destinations');
      },
    }),
    route({
      method: 'POST', path: '/admin/alerts/deliveries/:id/retry', access: ADMIN, body: FORM, input: byId,
      async handler(ctx: Context, { params }) {
        const a = await retryDelivery(s, params.id);
        setFlash<Result>(ctx, s, FLASH, { notice: said(a, 'Retry') });
        seeOther(ctx, '/admin/alerts#log');
      },
    }),
  ];
}
