// Storing one accepted batch: every step runs in one write transaction, so a batch is
// stored whole or not at all and the rollups always agree with the events.
import type { WireEvent } from '../../agent/wire.ts';
import type { Tx, Writer } from '../db/writer.ts';
import type { DayCalendar } from '../usage/days.ts';
import { costUsd, tierFor, type PriceTable } from '../pricing/table.ts';
import { anchoredDays, recomputeDays } from '../usage/reconcile.ts';

export class ReplayError extends Error {
  constructor() { super('replay'); }
}

export interface BatchMeta {
  userId: number;
  tokenId: number;
  /** The signed request's (x-ta-ts, body sha256) for the replay check; null for bearer-token sources (OTLP). */
  replay: { ts: number; bodySha256: string } | null;
  now: number;
  /** Events older than this (ms) are past the raw-event retention: answered as duplicates. */
  minTs: number;
}

export interface StoreResult {
  accepted: number;
  duplicates: number;
}

interface Row {
  ev: WireEvent;
  day: string;
  source: string;
  tier: number;
  /** USD at the current prices, or null when the model has no price. */
  cost: number | null;
}

// SQLite allows 32766 bound values per statement; 500 events × 16 columns fits in one.
const EVENT_COLS = ['user_id', 'event_id', 'ts', 'day', 'provider', 'model', 'is_local', 'input_tokens', 'output_tokens',
  'cache_read_tokens', 'cache_write_tokens', 'source', 'session_hash', 'skills', 'tier', 'received_at'];

function values(cols: number, rows: number): string {
  const one = `(${new Array(cols).fill('?').join(',')})`;
  return new Array(rows).fill(one).join(',');
}

/**
 * Stores a batch in its own write transaction. The price table is read inside it: while
 * the transaction holds the write lock no price edit can commit, so the cost stored in
 * the read model matches the table a concurrent re-pricing uses (src/usage/reprice.ts).
 */
export async function storeBatch(writer: Writer, meta: BatchMeta, events: WireEvent[], calendar: DayCalendar, prices: (tx: Tx) => Promise<PriceTable>): Promise<StoreResult> {
  return writer.transaction(async (tx) => storeInTx(tx, meta, events, calendar, await prices(tx)));
}

/** The steps of storing a batch, inside a write transaction the caller holds. */
export async function storeInTx(tx: Tx, meta: BatchMeta, events: WireEvent[], calendar: DayCalendar, table: PriceTable): Promise<StoreResult> {
  // Duplicate ids inside one batch: the first occurrence wins, the rest are duplicates.
  const seen = new Set<string>();
  const unique: WireEvent[] = [];
  let duplicates = 0;
  for (const ev of events) {
    if (ev.ts < meta.minTs) { duplicates++; continue; }
    if (ev.id !== undefined) {
      if (seen.has(ev.id)) { duplicates++; continue; }
      seen.add(ev.id);
    }
    unique.push(ev);
  }

  if (meta.replay) {
    const fresh = await tx.run('INSERT INTO replay_records (user_id, ts, body_sha256, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [meta.userId, meta.replay.ts, meta.replay.bodySha256, meta.now]);
    if (fresh === 0) throw new ReplayError();
  }
  await tx.run('UPDATE agent_tokens SET last_used_at = ? WHERE id = ?', [sqlDate(meta.now), meta.tokenId]);
  if (unique.length === 0) return { accepted: 0, duplicates };

  const rows = unique.map((ev): Row => {
    const price = ev.is_local ? null : table.lookup(ev.model);
    const tier = tierFor(price, ev);
    return { ev, day: calendar.dayOf(ev.ts), source: ev.source ?? 'unknown', tier, cost: ev.is_local ? 0 : price ? costUsd(price, tier, ev) : null };
  });
  const inserted = await insertEvents(tx, meta, rows);
  duplicates += rows.length - inserted.length;
  if (inserted.length > 0) {
    await upsertRollups(tx, meta.userId, inserted);
    const newSessions = await upsertSessions(tx, meta.userId, inserted);
    await upsertSkills(tx, meta.userId, inserted);
    await upsertUserDays(tx, meta.userId, inserted, newSessions, calendar);
    // Days where the provider's own numbers exist follow the reconciliation rule: rewrite
    // them from the rollups. Other days keep the cheap incremental sums above.
    const touched = [...new Set(inserted.map((r) => r.day))];
    const anchored = await anchoredDays(tx, meta.userId, touched);
    if (anchored.length) await recomputeDays(tx, meta.userId, anchored, table);
  }
  return { accepted: inserted.length, duplicates };
}

async function insertEvents(tx: Tx, meta: BatchMeta, rows: Row[]): Promise<Row[]> {
  const params: unknown[] = [];
  for (const { ev, day, source, tier } of rows) {
    params.push(meta.userId, ev.id ?? null, ev.ts, day, ev.provider, ev.model, ev.is_local ? 1 : 0,
      ev.input_tokens, ev.output_tokens, ev.cache_read_tokens, ev.cache_write_tokens,
      source, ev.session ?? null, ev.skills && ev.skills.length ? JSON.stringify(ev.skills) : null, tier, meta.now);
  }
  const returned = await tx.all<{ event_id: string | null }>(
    `INSERT INTO usage_events (${EVENT_COLS.join(',')}) VALUES ${values(EVENT_COLS.length, rows.length)}
     ON CONFLICT (user_id, event_id) DO NOTHING RETURNING event_id`, params);
  if (returned.length === rows.length) return rows;
  const stored = new Set(returned.map((r) => r.event_id));
  return rows.filter((r) => r.ev.id === undefined || stored.has(r.ev.id));
}

async function upsertRollups(tx: Tx, userId: number, rows: Row[]): Promise<void> {
  const groups = new Map<string, { r: Row; sums: number[] }>();
  for (const r of rows) {
    const key = `${r.day}\u0000${r.ev.provider}\u0000${r.ev.model}\u0000${r.source}\u0000${r.ev.is_local}\u0000${r.tier}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { r, sums: [0, 0, 0, 0, 0] }));
    g.sums[0] += r.ev.input_tokens;
    g.sums[1] += r.ev.output_tokens;
    g.sums[2] += r.ev.cache_read_tokens;
    g.sums[3] += r.ev.cache_write_tokens;
    g.sums[4] += 1;
  }
  const params: unknown[] = [];
  for (const { r, sums } of groups.values()) {
    params.push(userId, r.day, r.ev.provider, r.ev.model, r.source, r.ev.is_local ? 1 : 0, r.tier, ...sums);
  }
  await tx.run(
    `INSERT INTO daily_rollups (user_id, day, provider, model, source, is_local, tier,
       input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events)
     VALUES ${values(12, groups.size)}
     ON CONFLICT (user_id, day, provider, model, source, is_local, tier) DO UPDATE SET
       input_tokens = input_tokens + excluded.input_tokens,
       output_tokens = output_tokens + excluded.output_tokens,
       cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
       cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
       events = events + excluded.events`, params);
}

/** Upserts sessions; returns the first timestamps of the sessions this batch started. */
async function upsertSessions(tx: Tx, userId: number, rows: Row[]): Promise<number[]> {
  const groups = new Map<string, { source: string; model: string; first: number; last: number; events: number; tokens: number }>();
  for (const { ev, source } of rows) {
    if (ev.session === undefined) continue;
    const tokens = ev.input_tokens + ev.output_tokens + ev.cache_read_tokens + ev.cache_write_tokens;
    const g = groups.get(ev.session);
    if (!g) {
      groups.set(ev.session, { source, model: ev.model, first: ev.ts, last: ev.ts, events: 1, tokens });
      continue;
    }
    if (ev.ts >= g.last) { g.last = ev.ts; g.model = ev.model; }
    g.first = Math.min(g.first, ev.ts);
    g.events++;
    g.tokens += tokens;
  }
  if (groups.size === 0) return [];
  const params: unknown[] = [];
  for (const [hash, g] of groups) params.push(userId, hash, g.source, g.model, g.first, g.last, g.events, g.tokens);
  const after = await tx.all<{ session_hash: string; events: number }>(
    `INSERT INTO sessions (user_id, session_hash, source, model, first_ts, last_ts, events, tokens)
     VALUES ${values(8, groups.size)}
     ON CONFLICT (user_id, session_hash) DO UPDATE SET
       model = CASE WHEN excluded.last_ts >= last_ts THEN excluded.model ELSE model END,
       first_ts = MIN(first_ts, excluded.first_ts),
       last_ts = MAX(last_ts, excluded.last_ts),
       events = events + excluded.events,
       tokens = tokens + excluded.tokens
     RETURNING session_hash, events`, params);
  // A session whose stored count equals what this batch brought was created by it.
  return after.filter((r) => Number(r.events) === groups.get(r.session_hash)?.events).map((r) => groups.get(r.session_hash)!.first);
}

async function upsertSkills(tx: Tx, userId: number, rows: Row[]): Promise<void> {
  const counts = new Map<string, number>();
  for (const { ev, day } of rows) {
    for (const name of ev.skills ?? []) {
      const key = `${day}\u0000${name}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  if (counts.size === 0) return;
  const params: unknown[] = [];
  for (const [key, n] of counts) {
    const [day, name] = key.split('\u0000');
    params.push(userId, day, name, n);
  }
  await tx.run(
    `INSERT INTO skills (user_id, day, name, count) VALUES ${values(4, counts.size)}
     ON CONFLICT (user_id, day, name) DO UPDATE SET count = count + excluded.count`, params);
}

async function upsertUserDays(tx: Tx, userId: number, rows: Row[], newSessions: number[], calendar: DayCalendar): Promise<void> {
  // [input, output, cache read, cache write, events, sessions, cost, unpriced tokens]
  const days = new Map<string, number[]>();
  const sumsOf = (day: string) => {
    let d = days.get(day);
    if (!d) days.set(day, (d = [0, 0, 0, 0, 0, 0, 0, 0]));
    return d;
  };
  for (const { ev, day, cost } of rows) {
    const d = sumsOf(day);
    d[0] += ev.input_tokens; d[1] += ev.output_tokens; d[2] += ev.cache_read_tokens; d[3] += ev.cache_write_tokens; d[4] += 1;
    if (cost === null) d[7] += ev.input_tokens + ev.output_tokens + ev.cache_read_tokens + ev.cache_write_tokens;
    else d[6] += cost;
  }
  for (const first of newSessions) sumsOf(calendar.dayOf(first))[5] += 1;
  const params: unknown[] = [];
  for (const [day, d] of days) params.push(userId, day, ...d);
  const after = await tx.all<{ day: string; events: number }>(
    `INSERT INTO user_days (user_id, day, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events, sessions, cost_usd, unpriced_tokens)
     VALUES ${values(10, days.size)}
     ON CONFLICT (user_id, day) DO UPDATE SET
       input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
       cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
       events = events + excluded.events, sessions = sessions + excluded.sessions,
       cost_usd = cost_usd + excluded.cost_usd, unpriced_tokens = unpriced_tokens + excluded.unpriced_tokens
     RETURNING day, events`, params);
  // A day whose stored count equals this batch's is a new active day.
  const newDays = after.filter((r) => Number(r.events) === days.get(r.day)![4]).map((r) => r.day);
  const total = [0, 0, 0, 0, 0, 0, 0, 0];
  for (const d of days.values()) d.forEach((v, i) => { total[i] += v; });
  const sorted = [...days.keys()].sort();
  await tx.run(
    `INSERT INTO user_totals (user_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events, sessions, cost_usd, unpriced_tokens, active_days, first_day, last_day)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
     ON CONFLICT (user_id) DO UPDATE SET
       input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
       cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
       events = events + excluded.events, sessions = sessions + excluded.sessions,
       cost_usd = cost_usd + excluded.cost_usd, unpriced_tokens = unpriced_tokens + excluded.unpriced_tokens,
       active_days = active_days + excluded.active_days,
       first_day = MIN(COALESCE(first_day, excluded.first_day), excluded.first_day),
       last_day = MAX(COALESCE(last_day, excluded.last_day), excluded.last_day)`,
    [userId, ...total, newDays.length, sorted[0], sorted[sorted.length - 1]]);
}

/** The text form Sequelize uses for DATE columns in SQLite, so raw writes read back the same. */
export function sqlDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' +00:00');
}
