// /admin/alerts: destinations (what they get, whether they work), the add form, and the
// delivery log with each attempt. Events are named in words from their stored body.
import type { DestinationView, LoggedDelivery } from '../../../alerts/destinations.ts';
import { EVENT_KINDS, type EventKind } from '../../../alerts/payload.ts';
import type { FieldError } from '../../pages/admin/common.ts';
import { shortDay } from '../../format.ts';
import { when } from '../../pages/admin/common.ts';

export const KIND_LABELS: Record<EventKind, string> = {
  budget: 'budget thresholds', digest: 'weekly digest', 'unknown-model': 'models without a price', 'import-failed': 'failed imports and failing destinations',
};

export interface DestinationForm { kind: string; url: string; secret: string; events: string[] }
export const EMPTY_DESTINATION: DestinationForm = { kind: 'slack', url: '', secret: '', events: [...EVENT_KINDS] };

type Body = Record<string, any>;

/** One line about an event, from its body (pure). */
export function eventSummary(type: string, b: Body): string {
  switch (type) {
    case 'budget.threshold_crossed': {
      const bud = b.budget ?? {};
      const who = bud.scope === 'user' ? bud.subject : bud.scope === 'team' ? `team ${bud.subject}` : 'the whole org';
      return `Budget: ${who} crossed ${b.threshold}% (${bud.period === 'week' ? 'weekly' : 'monthly'}, from ${bud.period_start ? shortDay(String(bud.period_start)) : '?'})`;
    }
    case 'digest.weekly': return `Weekly digest, ${b.digest?.week ? `${shortDay(b.digest.week.start)} – ${shortDay(b.digest.week.end)}` : ''}`;
    case 'model.unknown': return `Model without a price: ${b.model?.model ?? '?'}`;
    case 'import.failed': return `Import failed: ${b.import?.provider ?? '?'} (job ${b.import?.job ?? '?'})`;
    case 'alert.destination_failing': return `Destination failing: ${b.destination?.kind ?? ''} ${b.destination?.url ?? ''}`;
    case 'alert.test': return 'Test alert';
    default: return type;
  }
}

function statusOf(d: LoggedDelivery): { text: string; css: string } {
  if (d.status === 'delivered') return { text: `delivered ${when(new Date(d.delivered_at ?? d.created_at))}`, css: 'done' };
  if (d.status === 'failed') return { text: 'failed, not retried', css: 'failed' };
  return { text: d.attempts.length ? `retrying at ${when(new Date(d.next_attempt_at))}` : 'waiting to be sent', css: 'queued' };
}

const answer = (a: { http_status: number | null; error: string | null }) => a.error ?? (a.http_status !== null ? `HTTP ${a.http_status}` : '');

export function presentAlertsPage(v: { destinations: DestinationView[]; log: LoggedDelivery[]; links: boolean }, o: { add?: { form: DestinationForm; error: FieldError | null } | null; notice?: string | null; secret?: { id: number; secret: string } | null; error?: FieldError | null }) {
  const form = o.add?.form ?? EMPTY_DESTINATION;
  return {
    destinations: v.destinations.map((d) => ({
      id: d.id, kind: d.kind, url: d.url_hint, signed: d.signed,
      events: d.events.map((e) => KIND_LABELS[e]).join(', ') || 'nothing',
      failing: d.failing,
      status: d.failing ? `failing since ${when(new Date(d.failing_since!))}: ${d.last_error ?? ''}` : d.consecutive_failures ? `${d.consecutive_failures} failed attempt${d.consecutive_failures === 1 ? '' : 's'} in a row: ${d.last_error ?? ''}` : d.last_success_at ? `working (last delivered ${when(new Date(d.last_success_at))})` : 'nothing sent yet',
      pending: d.pending,
    })),
    log: v.log.map((d) => {
      const st = statusOf(d);
      return {
        id: d.id, at: when(new Date(d.created_at)), summary: eventSummary(d.event.type, d.event.body), event_id: d.event.id,
        destination: `${d.destination.kind} ${d.destination.url_hint}`, status: st.text, css: st.css, attempts: d.attempts.length,
        last: d.attempts.length ? answer(d.attempts[d.attempts.length - 1]) : '',
        history: d.attempts.map((a) => ({ at: when(new Date(a.at)), outcome: a.outcome, answer: answer(a) })),
        retry: d.status !== 'delivered',
      };
    }),
    add: { form, error: o.add?.error ?? null, kinds: EVENT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k], checked: form.events.includes(k) })) },
    links: v.links,
    notice: o.notice ?? null,
    secret: o.secret ?? null,
    error: o.error ?? null,
  };
}
