// Sending deliveries. Any process may send: it first takes the delivery row's lease (as
// import jobs do), sends, then records the attempt and the delivery's next state in one
// transaction. The send always ends (timeout) well inside the lease, so a live process
// never has a delivery taken from it mid-send. A process that dies between sending and
// recording leaves a lease that runs out; the delivery is then sent again with the same
// event `id`, which is why receivers deduplicate by it. That is the only way a destination
// sees an event twice.
import { setTimeout as sleep } from 'node:timers/promises';
import got, { RequestError } from 'got';
import type { Services } from '../services.ts';
import type { Sql } from '../db/sql.ts';
import * as alerts from '../db/repos/alerts.ts';
import type { DueDelivery } from '../db/repos/alerts.ts';
import { FAILING_AFTER, nextAttemptAt, outcomeOf, retryAfterMs, type Outcome } from './backoff.ts';
import { enqueue } from './events.ts';
import { pageUrl, signature } from './payload.ts';
import { slackMessage } from './slack.ts';

const BATCH = 20;

/** The longest a send may take: half the lease, between 1 and 10 seconds. */
export function sendTimeoutMs(leaseMs: number): number {
  return Math.min(10_000, Math.max(1_000, Math.floor(leaseMs / 2)));
}

export interface SendResult { http_status: number | null; error: string | null; retry_after_ms: number | null }

/** Printable text only, short: what a receiver said goes into the delivery log. */
function clip(s: string, n = 200): string {
  return s.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim().slice(0, n);
}

/** One HTTP POST, never retried here (retries are durable rows, not a loop in memory). The URL is never put in an error. */
export async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number, now = Date.now()): Promise<SendResult> {
  try {
    const res = await got.post(url, {
      body, headers, throwHttpErrors: false, followRedirect: false, retry: { limit: 0 }, timeout: { request: timeoutMs }, responseType: 'text',
    });
    const status = res.statusCode;
    const ok = status >= 200 && status < 300;
    const header = res.headers['retry-after'];
    return {
      http_status: status,
      error: ok ? null : `answered ${status}${res.body ? `: ${clip(String(res.body))}` : ''}`,
      retry_after_ms: retryAfterMs(Array.isArray(header) ? header[0] : header, now),
    };
  } catch (err) {
    const code = err instanceof RequestError ? err.code : (err as { code?: string }).code;
    return { http_status: null, error: `no answer (${code ?? 'network error'})`, retry_after_ms: null };
  }
}

/** The request a destination gets for an event: Slack's message, or the JSON body itself; signed when it has a secret. */
export function requestFor(s: Services, d: Pick<DueDelivery, 'kind' | 'type' | 'event_id' | 'payload' | 'secret_enc'>, now: number): { body: string; headers: Record<string, string> } {
  const body = d.kind === 'slack' ? JSON.stringify(slackMessage(JSON.parse(d.payload), s.settings().name)) : d.payload;
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'user-agent': 'tokenboard-alerts', 'x-tokenboard-event': d.type, 'x-tokenboard-event-id': d.event_id,
  };
  const secret = d.secret_enc ? s.adminSealer.open(d.secret_enc) : null;
  if (secret) headers['x-tokenboard-signature'] = signature(secret, body, Math.floor(now / 1000));
  return { body, headers };
}

export interface Attempted { delivery: number; outcome: Outcome; http_status: number | null; error: string | null }

/**
 * Sends these deliveries now (the CLI's and the admin panel's "send now") and says what
 * became of each. The alerts loop, in this process or on another replica, sends whatever is
 * due too, so it may take one first: that one is waited for, within one send's timeout, and
 * its outcome read back from the row (an answer, not "nothing was sent"). `attempts` is the
 * row's count before this call; a higher count is the other process's attempt.
 */
export async function sendNow(s: Services, deliveries: { id: number; attempts: number }[]): Promise<Attempted[]> {
  const mine = await deliverDue(s, { only: deliveries.map((d) => d.id) });
  const deadline = Date.now() + sendTimeoutMs(s.leaseMs) + 1000;
  const out: Attempted[] = [];
  for (const want of deliveries) {
    const sent = mine.find((a) => a.delivery === want.id);
    if (sent) { out.push(sent); continue; }
    for (;;) {
      const row = await alerts.delivery(s.db.sql, want.id);
      if (!row) break; // deleted with its destination meanwhile: nothing to say about it
      if (row.attempts > want.attempts) {
        const outcome: Outcome = row.status === 'pending' ? 'retry' : row.status === 'delivered' ? 'delivered' : 'failed';
        out.push({ delivery: want.id, outcome, http_status: row.last_status, error: row.last_error });
        break;
      }
      if (Date.now() > deadline) {
        out.push({ delivery: want.id, outcome: 'retry', http_status: null, error: 'being sent right now by the alerts loop' });
        break;
      }
      await sleep(50);
    }
  }
  return out;
}

/** Sends one leased delivery and records what happened. */
async function attempt(s: Services, d: DueDelivery): Promise<Attempted> {
  const url = s.adminSealer.open(d.url_enc);
  const started = Date.now();
  let r: SendResult = { http_status: null, error: 'the destination URL cannot be read (was server.secret_key changed?)', retry_after_ms: null };
  if (url !== null) {
    const req = requestFor(s, d, started);
    r = await post(url, req.body, req.headers, sendTimeoutMs(s.leaseMs), started);
  }
  const now = Date.now();
  let outcome: Outcome = url === null ? 'failed' : outcomeOf(r.http_status);
  let next: number | null = null;
  let error = r.error;
  if (outcome === 'retry') {
    next = nextAttemptAt(d.attempts + 1, d.created_at, now, s.cfg.alerts.retry_seconds * 1000, r.retry_after_ms);
    if (next === null) { outcome = 'failed'; error = `gave up after retrying for 24 hours; last: ${r.error}`; }
  }
  await s.db.transaction(async (tx) => {
    await alerts.recordAttempt(tx, d.id, s.instance, { http_status: r.http_status, error, outcome, next_attempt_at: next }, now);
    if (outcome === 'delivered') {
      await alerts.destinationWorked(tx, d.destination_id, now);
      return;
    }
    // A refusal or giving up marks the destination failing at once; network trouble and
    // 5xx only after several attempts in a row.
    const failing = await alerts.destinationFailed(tx, d.destination_id, error ?? 'failed', outcome === 'failed' ? 1 : FAILING_AFTER, now);
    if (failing) await announceFailing(s, tx, d, error ?? 'failed', now);
  });
  return { delivery: d.id, outcome, http_status: r.http_status, error };
}

/** Tells the other destinations subscribed to admin alerts (import-failed) that this one keeps failing. */
async function announceFailing(s: Services, tx: Sql, d: DueDelivery, error: string, now: number): Promise<void> {
  const dest = await alerts.destination(tx, d.destination_id);
  if (!dest) return;
  await enqueue(tx, {
    type: 'alert.destination_failing', dedup_key: `failing:${dest.id}:${now}`, kind: 'import-failed', exclude: [dest.id],
    fields: { destination: { id: dest.id, kind: dest.kind, url: dest.url_hint, error, failing_since: new Date(now).toISOString() }, url: pageUrl({ orgName: s.settings().name, baseUrl: s.cfg.server.base_url }, '/admin/alerts') },
  }, now);
}

/**
 * Sends what is due (or only the given deliveries, due or not yet): each one this process
 * manages to lease. Returns what was attempted.
 */
export async function deliverDue(s: Services, o: { only?: number[] } = {}): Promise<Attempted[]> {
  const out: Attempted[] = [];
  for (;;) {
    const now = Date.now();
    const due = await alerts.dueDeliveries(s.db.sql, o.only ? Number.MAX_SAFE_INTEGER : now, BATCH, o.only);
    // Leased in one transaction (retried whole on a PostgreSQL deadlock): two replicas
    // claiming the same rows queue on their row locks, and only one wins each.
    const mine = due.length === 0 ? [] : await s.db.transaction(async (tx) => {
      // The lease runs from now, not from the read above: a claim that waited for the
      // write lock must still leave the whole lease for the send.
      const at = Date.now();
      const won: DueDelivery[] = [];
      for (const d of due) if (await alerts.claim(tx, d.id, s.instance, at, at + s.leaseMs)) won.push(d);
      return won;
    });
    // Several destinations at once; one slow receiver holds up only its own delivery.
    out.push(...await Promise.all(mine.map((d) => attempt(s, d))));
    if (due.length < BATCH || o.only) return out;
  }
}
