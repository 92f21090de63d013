// Alerts: destinations (alert_destinations), events decided once by their dedup key
// (alert_events), one delivery per event and destination (alert_deliveries, leased by the
// process sending it) and every attempt (alert_attempts).
import { jsonList, marks, num, numOrNull } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';

// ---- destinations

export type DestinationKind = 'slack' | 'webhook';

export interface DestinationRow {
  id: number;
  kind: DestinationKind;
  url_enc: string;
  url_hint: string;
  secret_enc: string | null;
  events: string[];
  consecutive_failures: number;
  failing_since: number | null;
  last_success_at: number | null;
  last_failure_at: number | null;
  last_error: string | null;
  created_by: string;
  created_at: number;
}

const DEST_COLUMNS = 'id, kind, url_enc, url_hint, secret_enc, events, consecutive_failures, failing_since, last_success_at, last_failure_at, last_error, created_by, created_at';

function toDestination(r: Record<string, unknown>): DestinationRow {
  return {
    id: num(r.id), kind: String(r.kind) as DestinationKind, url_enc: String(r.url_enc), url_hint: String(r.url_hint),
    secret_enc: (r.secret_enc as string | null) ?? null, events: jsonList(r.events), consecutive_failures: num(r.consecutive_failures),
    failing_since: numOrNull(r.failing_since), last_success_at: numOrNull(r.last_success_at), last_failure_at: numOrNull(r.last_failure_at),
    last_error: (r.last_error as string | null) ?? null, created_by: String(r.created_by), created_at: num(r.created_at),
  };
}

export async function insertDestination(q: Sql, d: { kind: DestinationKind; url_enc: string; url_hint: string; secret_enc: string | null; events: string[] }, by: string, now: number): Promise<number> {
  const [row] = await q.all<{ id: number }>(
    'INSERT INTO alert_destinations (kind, url_enc, url_hint, secret_enc, events, consecutive_failures, created_by, created_at) VALUES (?,?,?,?,?,0,?,?) RETURNING id',
    [d.kind, d.url_enc, d.url_hint, d.secret_enc, JSON.stringify(d.events), by, now]);
  return num(row.id);
}

export async function destinations(q: Sql): Promise<DestinationRow[]> {
  return (await q.all<Record<string, unknown>>(`SELECT ${DEST_COLUMNS} FROM alert_destinations ORDER BY id`)).map(toDestination);
}

export async function destination(q: Sql, id: number): Promise<DestinationRow | null> {
  const r = await one<Record<string, unknown>>(q, `SELECT ${DEST_COLUMNS} FROM alert_destinations WHERE id = ?`, [id]);
  return r ? toDestination(r) : null;
}

export async function removeDestination(q: Sql, id: number): Promise<number> {
  return q.run('DELETE FROM alert_destinations WHERE id = ?', [id]);
}

/** After an attempt that worked: the destination is healthy again. */
export async function destinationWorked(q: Sql, id: number, now: number): Promise<void> {
  await q.run('UPDATE alert_destinations SET consecutive_failures = 0, failing_since = NULL, last_success_at = ? WHERE id = ?', [now, id]);
}

/**
 * After an attempt that failed. The destination becomes failing once `failAfter` attempts
 * in a row have failed; returns true when this call is the one that marked it so.
 */
export async function destinationFailed(q: Sql, id: number, error: string, failAfter: number, now: number): Promise<boolean> {
  const rows = await q.all<{ failing_since: number | null }>(
    `UPDATE alert_destinations SET consecutive_failures = consecutive_failures + 1, last_failure_at = ?, last_error = ?,
            failing_since = CASE WHEN failing_since IS NULL AND consecutive_failures + 1 >= ? THEN ? ELSE failing_since END
      WHERE id = ? RETURNING failing_since`, [now, error, failAfter, now, id]);
  return rows.length > 0 && numOrNull(rows[0].failing_since) === now;
}

// ---- events

export interface NewEvent {
  event_id: string;
  type: string;
  dedup_key: string;
  budget_id: number | null;
  payload: string;
}

/**
 * Records an event unless its dedup key exists: the unique index decides between racing
 * replicas. Returns the new row's id, or null when it was already there.
 */
export async function insertEvent(q: Sql, e: NewEvent, now: number): Promise<number | null> {
  const rows = await q.all<{ id: number }>(
    `INSERT INTO alert_events (event_id, type, dedup_key, budget_id, payload, created_at) VALUES (?,?,?,?,?,?)
     ON CONFLICT (dedup_key) DO NOTHING RETURNING id`, [e.event_id, e.type, e.dedup_key, e.budget_id, e.payload, now]);
  return rows[0] ? num(rows[0].id) : null;
}

/** Which of these dedup keys are recorded already (a cheap look before a transaction). */
export async function existingKeys(q: Sql, keys: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const part = keys.slice(i, i + 500);
    for (const r of await q.all<{ dedup_key: string }>(`SELECT dedup_key FROM alert_events WHERE dedup_key IN (${marks(part.length)})`, part)) out.add(r.dedup_key);
  }
  return out;
}

/** Thresholds notified per budget (any revision, any period) with their keys, for the pages. */
export async function budgetEvents(q: Sql, budgetIds: number[]): Promise<{ budget_id: number; dedup_key: string; created_at: number }[]> {
  if (budgetIds.length === 0) return [];
  return (await q.all<Record<string, unknown>>(
    `SELECT budget_id, dedup_key, created_at FROM alert_events WHERE budget_id IN (${marks(budgetIds.length)})`, budgetIds))
    .map((r) => ({ budget_id: num(r.budget_id), dedup_key: String(r.dedup_key), created_at: num(r.created_at) }));
}

// ---- deliveries

export async function insertDeliveries(q: Sql, eventRowId: number, destinationIds: number[], now: number): Promise<void> {
  for (const id of destinationIds) {
    await q.run(`INSERT INTO alert_deliveries (alert_event_id, destination_id, status, attempts, next_attempt_at, created_at) VALUES (?,?,'pending',0,?,?)
                 ON CONFLICT (alert_event_id, destination_id) DO NOTHING`, [eventRowId, id, now, now]);
  }
}

export interface DueDelivery {
  id: number;
  attempts: number;
  created_at: number;
  destination_id: number;
  kind: DestinationKind;
  url_enc: string;
  secret_enc: string | null;
  event_id: string;
  type: string;
  payload: string;
}

/** Pending deliveries whose time has come and that nobody holds. */
export async function dueDeliveries(q: Sql, now: number, limit: number, only?: number[]): Promise<DueDelivery[]> {
  const onlyIds = only?.length ? ` AND d.id IN (${marks(only.length)})` : '';
  return (await q.all<Record<string, unknown>>(
    `SELECT d.id, d.attempts, d.created_at, d.destination_id, t.kind, t.url_enc, t.secret_enc, e.event_id, e.type, e.payload
       FROM alert_deliveries d JOIN alert_destinations t ON t.id = d.destination_id JOIN alert_events e ON e.id = d.alert_event_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)${onlyIds}
      ORDER BY d.next_attempt_at, d.id LIMIT ?`, [now, now, ...(only ?? []), limit]))
    .map((r) => ({
      id: num(r.id), attempts: num(r.attempts), created_at: num(r.created_at), destination_id: num(r.destination_id), kind: String(r.kind) as DestinationKind,
      url_enc: String(r.url_enc), secret_enc: (r.secret_enc as string | null) ?? null, event_id: String(r.event_id), type: String(r.type), payload: String(r.payload),
    }));
}

/**
 * Takes a delivery for sending; false when someone holds it (or it is no longer pending).
 * A lease held by this very process counts as held too: it means another call in this
 * process (the loop, an admin's "retry now") is sending it right now.
 */
export async function claim(q: Sql, id: number, owner: string, now: number, until: number): Promise<boolean> {
  return (await q.run(
    `UPDATE alert_deliveries SET lease_owner = ?, lease_until = ?
      WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)`, [owner, until, id, now])) === 1;
}

export interface AttemptResult {
  http_status: number | null;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'failed';
  /** When to try again (outcome retry). */
  next_attempt_at: number | null;
}

/**
 * Records an attempt and moves the delivery on, if this process still holds it. The attempt
 * is recorded either way (it happened); returns whether the delivery row was ours to move.
 */
export async function recordAttempt(q: Sql, id: number, owner: string, a: AttemptResult, now: number): Promise<boolean> {
  await q.run('INSERT INTO alert_attempts (delivery_id, at, http_status, error, outcome) VALUES (?,?,?,?,?)', [id, now, a.http_status, a.error, a.outcome]);
  const status = a.outcome === 'retry' ? 'pending' : a.outcome;
  return (await q.run(
    `UPDATE alert_deliveries SET attempts = attempts + 1, status = ?, next_attempt_at = ?, last_status = ?, last_error = ?,
            delivered_at = ?, lease_owner = NULL, lease_until = NULL
      WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
    [status, a.next_attempt_at ?? now, a.http_status, a.error, a.outcome === 'delivered' ? now : null, id, owner])) === 1;
}

/** An admin's "retry now": a failed or waiting delivery is due at once. */
export async function retryNow(q: Sql, id: number, now: number): Promise<number> {
  return q.run(`UPDATE alert_deliveries SET status = 'pending', next_attempt_at = ? WHERE id = ? AND status IN ('pending', 'failed')`, [now, id]);
}

export interface DeliveryLogRow {
  id: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
  destination_id: number;
  kind: DestinationKind;
  url_hint: string;
  event_id: string;
  type: string;
  payload: string;
}

export async function deliveryLog(q: Sql, limit: number, destinationId?: number): Promise<DeliveryLogRow[]> {
  return (await q.all<Record<string, unknown>>(
    `SELECT d.id, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.delivered_at, d.created_at,
            d.destination_id, t.kind, t.url_hint, e.event_id, e.type, e.payload
       FROM alert_deliveries d JOIN alert_destinations t ON t.id = d.destination_id JOIN alert_events e ON e.id = d.alert_event_id
      ${destinationId === undefined ? '' : 'WHERE d.destination_id = ?'} ORDER BY d.id DESC LIMIT ?`, destinationId === undefined ? [limit] : [destinationId, limit]))
    .map((r) => ({
      id: num(r.id), status: String(r.status) as DeliveryLogRow['status'], attempts: num(r.attempts), next_attempt_at: num(r.next_attempt_at),
      last_status: numOrNull(r.last_status), last_error: (r.last_error as string | null) ?? null, delivered_at: numOrNull(r.delivered_at),
      created_at: num(r.created_at), destination_id: num(r.destination_id), kind: String(r.kind) as DestinationKind, url_hint: String(r.url_hint),
      event_id: String(r.event_id), type: String(r.type), payload: String(r.payload),
    }));
}

export interface AttemptRow { delivery_id: number; at: number; http_status: number | null; error: string | null; outcome: string }

export async function attemptsOf(q: Sql, deliveryIds: number[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return (await q.all<Record<string, unknown>>(
    `SELECT delivery_id, at, http_status, error, outcome FROM alert_attempts WHERE delivery_id IN (${marks(deliveryIds.length)}) ORDER BY at, id`, deliveryIds))
    .map((r) => ({ delivery_id: num(r.delivery_id), at: num(r.at), http_status: numOrNull(r.http_status), error: (r.error as string | null) ?? null, outcome: String(r.outcome) }));
}

/** A delivery's state, for the CLI's "sent now" answers and the tests. */
export async function delivery(q: Sql, id: number): Promise<{ status: string; attempts: number; last_status: number | null; last_error: string | null } | null> {
  const r = await one<Record<string, unknown>>(q, 'SELECT status, attempts, last_status, last_error FROM alert_deliveries WHERE id = ?', [id]);
  return r ? { status: String(r.status), attempts: num(r.attempts), last_status: numOrNull(r.last_status), last_error: (r.last_error as string | null) ?? null } : null;
}

/** The deliveries of one event (by its row id). */
export async function deliveriesOf(q: Sql, eventRowId: number): Promise<{ id: number; destination_id: number }[]> {
  return (await q.all<Record<string, unknown>>('SELECT id, destination_id FROM alert_deliveries WHERE alert_event_id = ? ORDER BY id', [eventRowId]))
    .map((r) => ({ id: num(r.id), destination_id: num(r.destination_id) }));
}

/** Deliveries still to go out, per destination (the admin panel's "waiting" count). */
export async function pendingCounts(q: Sql): Promise<Map<number, number>> {
  const rows = await q.all<{ destination_id: number; n: number }>(`SELECT destination_id, COUNT(*) AS n FROM alert_deliveries WHERE status = 'pending' GROUP BY destination_id`);
  return new Map(rows.map((r) => [num(r.destination_id), num(r.n)]));
}
