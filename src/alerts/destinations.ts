// Alert destinations: Slack incoming webhooks (or anything that speaks their format) and
// generic webhooks (the JSON body, signed). The URL and the secret are sealed in the
// database (a Slack webhook URL is itself the credential); pages show a hint instead.
import { randomBytes } from 'node:crypto';
import type { Services } from '../services.ts';
import * as alerts from '../db/repos/alerts.ts';
import type { DestinationKind, DestinationRow } from '../db/repos/alerts.ts';
import { BadInput, NotFound } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { sendNow, type Attempted } from './deliver.ts';
import { enqueue } from './events.ts';
import { EVENT_KINDS, type EventKind } from './payload.ts';

export const KINDS: readonly DestinationKind[] = ['slack', 'webhook'];

export interface DestinationDraft {
  kind: string;
  url: string;
  /** Empty: a webhook gets a generated one (shown once); a Slack destination signs nothing. */
  secret?: string | null;
  /** "budget,digest", a list, or empty for every kind. */
  events?: string | readonly string[] | null;
}

export interface CheckedDestination { kind: DestinationKind; url: URL; secret: string | null; events: EventKind[] }

export function parseEvents(raw: DestinationDraft['events']): EventKind[] {
  const parts = (Array.isArray(raw) ? raw : String(raw ?? '').split(/[\s,]+/)).map((x) => String(x).trim()).filter(Boolean);
  if (parts.length === 0) return [...EVENT_KINDS];
  for (const p of parts) if (!(EVENT_KINDS as readonly string[]).includes(p)) throw new BadInput(`events: "${p}" is not an event kind; use ${EVENT_KINDS.join(', ')}`);
  return EVENT_KINDS.filter((k) => parts.includes(k));
}

/** Pure: what a destination may be. Any http(s) URL is allowed, internal hosts included (DESIGN). */
export function checkDestination(d: DestinationDraft): CheckedDestination {
  const kind = String(d.kind ?? '').trim();
  if (!(KINDS as readonly string[]).includes(kind)) throw new BadInput(`kind: slack or webhook, not "${kind}"`);
  const raw = String(d.url ?? '').trim();
  if (!raw) throw new BadInput(`url: give the ${kind === 'slack' ? 'Slack incoming-webhook' : 'webhook'} URL`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadInput('url: not a URL; give a full http:// or https:// address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadInput(`url: must start with http:// or https://, not ${url.protocol}`);
  if (url.username || url.password) throw new BadInput('url: no user name or password in the URL; use the secret for signing');
  if (raw.length > 2000) throw new BadInput('url: at most 2000 characters');
  const secret = String(d.secret ?? '').trim();
  if (secret && (secret.length < 16 || secret.length > 200 || /[\p{Cc}\p{Cf}\s]/u.test(secret))) throw new BadInput('secret: 16-200 characters without spaces, or empty to have one generated');
  return { kind: kind as DestinationKind, url, secret: secret || null, events: parseEvents(d.events) };
}

/** 'https://hooks.slack.com/…Xy9Z': enough to tell destinations apart, not enough to post to one. */
export function urlHint(url: URL): string {
  const rest = `${url.pathname}${url.search}`.replace(/\/+$/, '');
  // A short path carries no credential worth hiding; a long one (Slack's) shows its last characters.
  return `${url.origin}${rest.length <= 8 ? rest : `/…${rest.slice(-4)}`}`;
}

export interface DestinationView {
  id: number;
  kind: DestinationKind;
  url_hint: string;
  signed: boolean;
  events: EventKind[];
  failing: boolean;
  failing_since: number | null;
  consecutive_failures: number;
  last_error: string | null;
  last_success_at: number | null;
  pending: number;
}

function view(d: DestinationRow, pending: number): DestinationView {
  return {
    id: d.id, kind: d.kind, url_hint: d.url_hint, signed: d.secret_enc !== null, events: d.events.filter((e): e is EventKind => (EVENT_KINDS as readonly string[]).includes(e)),
    failing: d.failing_since !== null, failing_since: d.failing_since, consecutive_failures: d.consecutive_failures, last_error: d.last_error,
    last_success_at: d.last_success_at, pending,
  };
}

/** Adds a destination; a webhook without a secret gets one, returned here once and never shown again. */
export async function addDestination(s: Services, draft: DestinationDraft, actor: Actor, now = Date.now()): Promise<{ destination: DestinationView; generated_secret: string | null }> {
  const c = checkDestination(draft);
  const generated = c.kind === 'webhook' && !c.secret ? `whsec_${randomBytes(24).toString('base64url')}` : null;
  const secret = c.secret ?? generated;
  const hint = urlHint(c.url);
  const id = await s.db.transaction(async (tx) => {
    const made = await alerts.insertDestination(tx, { kind: c.kind, url_enc: s.adminSealer.seal(c.url.href), url_hint: hint, secret_enc: secret ? s.adminSealer.seal(secret) : null, events: c.events }, actor.login, now);
    await audit(tx, actor, 'alert.add', `${c.kind} ${hint}`, { id: made, kind: c.kind, url: hint, events: c.events, signed: secret !== null });
    return made;
  });
  return { destination: view((await alerts.destination(s.db.sql, id))!, 0), generated_secret: generated };
}

export async function listDestinations(s: Services): Promise<DestinationView[]> {
  const [rows, pending] = await Promise.all([alerts.destinations(s.db.sql), alerts.pendingCounts(s.db.sql)]);
  return rows.map((d) => view(d, pending.get(d.id) ?? 0));
}

export async function removeDestination(s: Services, id: number, actor: Actor): Promise<void> {
  await s.db.transaction(async (tx) => {
    const d = await alerts.destination(tx, id);
    if (!d) throw new NotFound(`destination: there is no alert destination #${id}`);
    await alerts.removeDestination(tx, id);
    await audit(tx, actor, 'alert.remove', `${d.kind} ${d.url_hint}`, { id, kind: d.kind, url: d.url_hint });
  });
}

/** Sends a test alert to one destination now; its delivery is logged (and retried) like any other. */
export async function testDestination(s: Services, id: number, actor: Actor, now = Date.now()): Promise<Attempted> {
  const d = await alerts.destination(s.db.sql, id);
  if (!d) throw new NotFound(`destination: there is no alert destination #${id}`);
  const made = await s.db.transaction(async (tx) => {
    await audit(tx, actor, 'alert.test', `${d.kind} ${d.url_hint}`, { id });
    return enqueue(tx, { type: 'alert.test', dedup_key: `test:${id}:${now}:${randomBytes(4).toString('hex')}`, kind: null, only: [id], fields: { message: 'This destination works.' } }, now);
  });
  const [sent] = await sendNow(s, made!.deliveries.map((d) => ({ id: d, attempts: 0 })));
  return sent;
}

/** The delivery log's "retry now". */
export async function retryDelivery(s: Services, id: number, now = Date.now()): Promise<Attempted | null> {
  const attempts = await s.db.transaction(async (tx) => {
    const before = await alerts.delivery(tx, id);
    return before && (await alerts.retryNow(tx, id, now)) === 1 ? before.attempts : null;
  });
  if (attempts === null) throw new NotFound(`delivery: no delivery #${id} waiting or failed`);
  return (await sendNow(s, [{ id, attempts }]))[0] ?? null;
}

export interface LoggedDelivery {
  id: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: { at: number; http_status: number | null; error: string | null; outcome: string }[];
  next_attempt_at: number;
  delivered_at: number | null;
  created_at: number;
  last_status: number | null;
  last_error: string | null;
  destination: { id: number; kind: DestinationKind; url_hint: string };
  event: { id: string; type: string; body: Record<string, unknown> };
}

/** The newest deliveries with every attempt, for the admin panel. */
export async function deliveryLog(s: Services, limit = 50): Promise<LoggedDelivery[]> {
  const rows = await alerts.deliveryLog(s.db.sql, limit);
  const attempts = await alerts.attemptsOf(s.db.sql, rows.map((r) => r.id));
  return rows.map((r) => {
    let body: Record<string, unknown> = {};
    try { body = JSON.parse(r.payload) as Record<string, unknown>; } catch { /* shown by its type alone */ }
    return {
      id: r.id, status: r.status, next_attempt_at: r.next_attempt_at, delivered_at: r.delivered_at, created_at: r.created_at,
      last_status: r.last_status, last_error: r.last_error,
      attempts: attempts.filter((a) => a.delivery_id === r.id).map(({ at, http_status, error, outcome }) => ({ at, http_status, error, outcome })),
      destination: { id: r.destination_id, kind: r.kind, url_hint: r.url_hint },
      event: { id: r.event_id, type: r.type, body },
    };
  });
}

/** The alerts page in one call. */
export async function alertsAdminView(s: Services): Promise<{ destinations: DestinationView[]; log: LoggedDelivery[]; links: boolean }> {
  const [destinations, log] = await Promise.all([listDestinations(s), deliveryLog(s)]);
  return { destinations, log, links: s.cfg.server.base_url !== '' };
}
