// Storing one accepted batch: every step runs in one write transaction, so a batch is
// stored whole or not at all and the rollups always agree with the events.
import type { WireEvent } from '../../agent/wire.ts';
import type { Tx, Writer } from '../db/writer.ts';
import type { DayCalendar } from '../usage/days.ts';
import { tierFor, type PriceTable } from '../pricing/table.ts';

export class ReplayError extends Error {
  constructor() { super('replay'); }
}

export interface BatchMeta {
  userId: number;
  tokenId: number;
  ts: number;
  bodySha256: string;
  now: number;
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
}

// SQLite allows 32766 bound values per statement; 500 events × 16 columns fits in one.
const EVENT_COLS = ['user_id', 'event_id', 'ts', 'day', 'provider', 'model', 'is_local', 'input_tokens', 'output_tokens',
  'cache_read_tokens', 'cache_write_tokens', 'source', 'session_hash', 'skills', 'tier', 'received_at'];

function values(cols: number, rows: number): string {
  const one = `(${new Array(cols).fill('?').join(',')})`;
  return new Array(rows).fill(one).join(',');
}

export async function storeBatch(writer: Writer, meta: BatchMeta, events: WireEvent[], calendar: DayCalendar, prices: PriceTable): Promise<StoreResult> {
  // Duplicate ids inside one batch: the first occurrence wins, the rest are duplicates.
  const seen = new Set<string>();
  const rows: Row[] = [];
  let duplicates = 0;
  for (const ev of events) {
    if (ev.id !== undefined) {
      if (seen.has(ev.id)) { duplicates++; continue; }
      seen.add(ev.id);
    }
    rows.push({ ev, day: calendar.dayOf(ev.ts), source: ev.source ?? 'unknown', tier: ev.is_local ? 0 : tierFor(prices.lookup(ev.model), ev) });
  }

  return writer.transaction(async (tx) => {
    const fresh = await tx.run('INSERT INTO replay_records (user_id, ts, body_sha256, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [meta.userId, meta.ts, meta.bodySha256, meta.now]);
    if (fresh === 0) throw new ReplayError();
    await tx.run('UPDATE agent_tokens SET last_used_at = ? WHERE id = ?', [sqlDate(meta.now), meta.tokenId]);
    if (rows.length === 0) return { accepted: 0, duplicates };

    const inserted = await insertEvents(tx, meta, rows);
    duplicates += rows.length - inserted.length;
    if (inserted.length > 0) {
      await upsertRollups(tx, meta.userId, inserted);
      await upsertSessions(tx, meta.userId, inserted);
      await upsertSkills(tx, meta.userId, inserted);
    }
    return { accepted: inserted.length, duplicates };
  });
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

async function upsertSessions(tx: Tx, userId: number, rows: Row[]): Promise<void> {
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
  if (groups.size === 0) return;
  const params: unknown[] = [];
  for (const [hash, g] of groups) params.push(userId, hash, g.source, g.model, g.first, g.last, g.events, g.tokens);
  await tx.run(
    `INSERT INTO sessions (user_id, session_hash, source, model, first_ts, last_ts, events, tokens)
     VALUES ${values(8, groups.size)}
     ON CONFLICT (user_id, session_hash) DO UPDATE SET
       model = CASE WHEN excluded.last_ts >= last_ts THEN excluded.model ELSE model END,
       first_ts = MIN(first_ts, excluded.first_ts),
       last_ts = MAX(last_ts, excluded.last_ts),
       events = events + excluded.events,
       tokens = tokens + excluded.tokens`, params);
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

/** The text form Sequelize uses for DATE columns in SQLite, so raw writes read back the same. */
export function sqlDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' +00:00');
}
