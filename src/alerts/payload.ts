// What a webhook receives (pure): the JSON bodies of DESIGN "Budgets and alerts" and their
// signature. Every body starts with type, id and created; the id is the one a receiver
// deduplicates by (a retry, or a resend after a crash, carries the same id).
import { createHmac, randomBytes } from 'node:crypto';
import type { BudgetStatus } from '../budgets/spend.ts';

export type EventType = 'budget.threshold_crossed' | 'digest.weekly' | 'model.unknown' | 'import.failed' | 'alert.test' | 'alert.destination_failing';

/** Subscriptions: which kinds of event a destination wants. */
export type EventKind = 'budget' | 'digest' | 'unknown-model' | 'import-failed';
export const EVENT_KINDS: readonly EventKind[] = ['budget', 'digest', 'unknown-model', 'import-failed'];

/** Where links in alerts point: server.base_url, or nowhere when it is not set (a background job has no request to go by). */
export interface LinkBase { orgName: string; baseUrl: string }

export function newEventId(): string {
  return `evt_${randomBytes(12).toString('hex')}`;
}

/** '2026-12-02T10:00:00Z': seconds, as DESIGN's example. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function pageUrl(ctx: LinkBase, path: string): string | null {
  return ctx.baseUrl ? `${ctx.baseUrl}${path}` : null;
}

/** The body as sent: type, id and created first, then the event's own fields. */
export function bodyText(type: EventType, id: string, createdMs: number, fields: Record<string, unknown>): string {
  return JSON.stringify({ type, id, created: isoSeconds(createdMs), ...fields });
}

/**
 * `x-tokenboard-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`,
 * as Stripe signs its webhooks: the timestamp inside the MAC lets a receiver refuse replays.
 */
export function signature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

const cents = (v: number) => Math.round(v * 100) / 100;

/** The page a budget's numbers come from: the person's profile, the team's or the org's adoption page. */
export function budgetPath(b: BudgetStatus['budget']): string {
  if (b.scope === 'user') return `/u/${encodeURIComponent(b.login ?? '')}`;
  if (b.scope === 'team') return `/team?team=${encodeURIComponent(b.team ?? '')}`;
  return '/team';
}

/** budget.threshold_crossed, beyond type/id/created. */
export function budgetFields(st: BudgetStatus, threshold: number, ctx: LinkBase): Record<string, unknown> {
  const b = st.budget;
  return {
    budget: {
      id: b.id, scope: b.scope, subject: b.scope === 'user' ? b.login : b.scope === 'team' ? b.team : ctx.orgName,
      period: b.period, period_start: st.period.start, period_end: st.period.end, limit_usd: b.limit_usd, limit_tokens: b.limit_tokens,
    },
    threshold,
    spent_usd: cents(st.spend.spent_usd),
    tokens: st.spend.tokens,
    // Tokens of models without a price: their cost is not in spent_usd.
    unpriced_tokens: st.spend.unpriced_tokens,
    url: pageUrl(ctx, budgetPath(b)),
  };
}
