// Deciding an alert: one row per event, made unique by its dedup key, and in the same
// transaction one delivery row per destination subscribed to its kind. Whoever inserts the
// row first (replica, restart, the CLI) decides; everyone else's insert does nothing. So
// each (budget, threshold, period) reaches each destination once, and a crash can never
// leave an event without its deliveries.
import type { Sql } from '../db/sql.ts';
import * as alerts from '../db/repos/alerts.ts';
import { bodyText, newEventId, type EventKind, type EventType } from './payload.ts';

export interface NewAlert {
  type: EventType;
  dedup_key: string;
  /** Who gets it: destinations subscribed to this kind (minus `exclude`), or exactly `only`. */
  kind: EventKind | null;
  only?: number[];
  exclude?: number[];
  budget_id?: number | null;
  fields: Record<string, unknown>;
}

export interface Enqueued { row: number; event_id: string; deliveries: number[] }

/** Records the event and its deliveries, or nothing (null) when its key was decided before. */
export async function enqueue(tx: Sql, a: NewAlert, now: number): Promise<Enqueued | null> {
  const event_id = newEventId();
  const row = await alerts.insertEvent(tx, { event_id, type: a.type, dedup_key: a.dedup_key, budget_id: a.budget_id ?? null, payload: bodyText(a.type, event_id, now, a.fields) }, now);
  if (row === null) return null;
  const to = a.only ?? (await alerts.destinations(tx)).filter((d) => a.kind !== null && d.events.includes(a.kind) && !a.exclude?.includes(d.id)).map((d) => d.id);
  await alerts.insertDeliveries(tx, row, to, now);
  return { row, event_id, deliveries: (await alerts.deliveriesOf(tx, row)).map((d) => d.id) };
}
