// Storing usage: the ledger is the one writer of events and of every number derived from
// them. A batch runs in one write transaction, so it is stored whole or not at all and the
// rollups and the read model always agree with the events. On ordinary days the read model
// grows by atomic increments; days where the provider's own numbers exist are rewritten by
// the reconciliation rule (recompute.ts).
import type { WireEvent } from '../../agent/wire.ts';
import type { Db } from '../db/connect.ts';
import type { Sql } from '../db/sql.ts';
import type { DayCalendar } from '../usage/days.ts';
import { costUsd, tierFor, type PriceTable } from '../pricing/table.ts';
import * as usage from '../db/repos/usage-write.ts';
import * as personDays from '../db/repos/usage-recompute.ts';
import { touchUsedWrite } from '../db/repos/tokens.ts';
import { bumpSettledFor, bumpWrite } from '../db/repos/versions.ts';
import type { Statement } from '../db/dialect.ts';
import { facetsOf, PROVIDER_SOURCES, tokensOf, type Facet } from './rules.ts';
import { recomputeDays } from './recompute.ts';
import { settledSpan } from './settled.ts';
import { unpricedModelsStored } from '../alerts/notices.ts';

export class ReplayError extends Error {
  constructor() { super('replay'); }
}

export interface BatchMeta {
  userId: number;
  /** The agent token that signed it (its last use is recorded), or null (imports). */
  tokenId: number | null;
  /** False: the token's last use was recorded moments ago and is not written again (users/tokens.ts touchDue). */
  touchToken?: boolean;
  /** The signed request's (x-ta-ts, body sha256) for the replay check; null for bearer-token sources (OTLP) and imports. */
  replay: { ts: number; bodySha256: string } | null;
  now: number;
  /** Events older than this (ms) are past the raw-event retention: answered as duplicates. */
  minTs: number;
}

export interface StoreResult {
  accepted: number;
  duplicates: number;
}

/**
 * An event as the ledger stores it: the wire fields, plus what only the server's own
 * imports can say (never accepted from an agent: the wire check refuses unknown fields).
 */
export interface LedgerEvent extends WireEvent {
  /**
   * How many messages the event stands for (default 1, one model response). A vendor's
   * daily activity (Copilot's code generations) is many messages without tokens; 0 keeps
   * tokens without claiming a message.
   */
  messages?: number;
  /** What the vendor billed for it, in US cents (Cursor's chargedCents); never part of cost_usd. */
  billed_cents?: number;
}

interface Row {
  ev: LedgerEvent;
  day: string;
  source: string;
  tier: number;
  oneHour: number;
  messages: number;
  /** USD at the current prices, or null when the model has no price. */
  cost: number | null;
}

/**
 * Stores a signed batch in its own write transaction. The price table is read inside it
 * (see prices() in ledger/prices.ts): while the transaction holds the prices version for
 * sharing no price edit can commit, so the cost stored matches the table a concurrent
 * re-pricing uses. The version is read in the arrival's round trip; `prices` gives the
 * table at that version.
 */
export async function storeBatch(db: Db, meta: BatchMeta, events: LedgerEvent[], calendar: DayCalendar, prices: (tx: Sql, version: number) => Promise<PriceTable>): Promise<StoreResult> {
  return db.writer.transaction(async (tx) => {
    const arrival = await usage.recordArrivalSharingPrices(tx, meta.userId, meta.replay, touchOf(meta), meta.now);
    if (!arrival.fresh) throw new ReplayError();
    return storeArrived(tx, meta, events, calendar, await prices(tx, arrival.pricesVersion));
  });
}

/** The steps of storing a batch, inside a write transaction the caller holds (with the table it priced by). */
export async function storeInTx(tx: Sql, meta: BatchMeta, events: LedgerEvent[], calendar: DayCalendar, table: PriceTable): Promise<StoreResult> {
  if (!(await usage.recordArrival(tx, meta.userId, meta.replay, touchOf(meta), meta.now))) throw new ReplayError();
  return storeArrived(tx, meta, events, calendar, table);
}

const touchOf = (meta: BatchMeta): Statement | null => (meta.tokenId === null || meta.touchToken === false ? null : touchUsedWrite(meta.tokenId, new Date(meta.now)));

/** Everything after the arrival's record: the events, the rollups, the read model. */
async function storeArrived(tx: Sql, meta: BatchMeta, events: LedgerEvent[], calendar: DayCalendar, table: PriceTable): Promise<StoreResult> {
  // Duplicate ids inside one batch: the first occurrence wins, the rest are duplicates.
  const seen = new Set<string>();
  const unique: LedgerEvent[] = [];
  let duplicates = 0;
  for (const ev of events) {
    if (ev.ts < meta.minTs) { duplicates++; continue; }
    if (ev.id !== undefined) {
      if (seen.has(ev.id)) { duplicates++; continue; }
      seen.add(ev.id);
    }
    unique.push(ev);
  }

  if (unique.length === 0) return { accepted: 0, duplicates };

  const rows = unique.map((ev): Row => {
    const price = ev.is_local ? null : table.lookup(ev.model);
    const tier = tierFor(price, ev);
    return {
      ev, day: calendar.dayOf(ev.ts), source: ev.source ?? 'unknown', tier, oneHour: ev.cache_write_1h_tokens ?? 0,
      messages: messagesOf(ev),
      cost: ev.is_local ? 0 : price ? costUsd(price, tier, ev) : null,
    };
  });
  const inserted = await insertEvents(tx, meta, rows);
  duplicates += rows.length - inserted.length;
  if (inserted.length === 0) return { accepted: 0, duplicates };

  // The tables that only add go with the sessions' statement (one round trip on PostgreSQL).
  const writes = [...rollupsWrite(meta.userId, inserted), ...chargesWrite(meta.userId, inserted), ...skillsWrite(meta.userId, inserted)];
  const started = await addSessions(tx, meta.userId, inserted, writes);
  // Days where the provider's own numbers exist follow the reconciliation rule: rewrite
  // them from the rollups. Other days keep the cheap increments of the read model. The
  // usage version is bumped with the read model; on PostgreSQL its row stays locked until
  // COMMIT, so concurrent batches queue only for their commit (and a batch on an anchored
  // day also for its recompute).
  const touched = [...new Set(inserted.map((r) => r.day))];
  const anchored = (await addReadModel<{ day: string }>(tx, meta.userId, inserted, started, calendar, [bumpWrite('usage')],
    personDays.anchoredDaysQuery(meta.userId, touched, PROVIDER_SOURCES))).map((r) => r.day);
  // Older days than today and yesterday (a backfill): caches of settled days re-read this
  // person's (settled.ts). After the usage row, as every writer takes them.
  const settled = settledSpan(touched, calendar.dayOf(meta.now));
  if (settled) await bumpSettledFor(tx, meta.userId, settled.first, settled.last);
  if (anchored.length) await recomputeDays(tx, anchored.map((day) => ({ user_id: meta.userId, day })), table);
  // A model without a price: the first batch ever to bring it decides its alert, here.
  const unpriced = inserted.filter((r) => r.cost === null);
  if (unpriced.length) await unpricedModelsStored(tx, unpriced.map((r) => ({ provider: r.ev.provider, model: r.ev.model })), meta.now);
  return { accepted: inserted.length, duplicates };
}

function messagesOf(ev: LedgerEvent): number {
  const m = ev.messages;
  return m === undefined ? 1 : Number.isSafeInteger(m) && m >= 0 ? m : 1;
}

async function insertEvents(tx: Sql, meta: BatchMeta, rows: Row[]): Promise<Row[]> {
  const stored = await usage.insertEvents(tx, meta.userId, rows.map(({ ev, day, source, tier, oneHour, messages }) => ({
    event_id: ev.id ?? null, ts: ev.ts, day, provider: ev.provider, model: ev.model, is_local: ev.is_local,
    input_tokens: ev.input_tokens, output_tokens: ev.output_tokens, cache_read_tokens: ev.cache_read_tokens, cache_write_tokens: ev.cache_write_tokens,
    cache_write_1h_tokens: oneHour, source, session_hash: ev.session ?? null, skills: ev.skills && ev.skills.length ? JSON.stringify(ev.skills) : null, tier, messages,
  })), meta.now);
  if (stored.length === rows.length) return rows;
  const ids = new Set(stored);
  return rows.filter((r) => r.ev.id === undefined || ids.has(r.ev.id));
}

function rollupsWrite(userId: number, rows: Row[]): Statement[] {
  const groups = new Map<string, usage.RollupAdd>();
  for (const r of rows) {
    const key = `${r.day}\u0000${r.ev.provider}\u0000${r.ev.model}\u0000${r.source}\u0000${r.ev.is_local}\u0000${r.tier}`;
    let g = groups.get(key);
    if (!g) {
      groups.set(key, (g = { day: r.day, provider: r.ev.provider, model: r.ev.model, source: r.source, is_local: r.ev.is_local, tier: r.tier,
        input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, events: 0 }));
    }
    g.input_tokens += r.ev.input_tokens;
    g.output_tokens += r.ev.output_tokens;
    g.cache_read_tokens += r.ev.cache_read_tokens;
    g.cache_write_tokens += r.ev.cache_write_tokens;
    g.cache_write_1h_tokens += r.oneHour;
    g.events += r.messages;
  }
  return usage.rollupsWrite(userId, groups);
}

/** What vendors billed, per day and source, for the events stored now (a duplicate adds nothing); none or one statement. */
function chargesWrite(userId: number, rows: Row[]): Statement[] {
  const groups = new Map<string, usage.ChargeAdd>();
  for (const r of rows) {
    const cents = r.ev.billed_cents;
    if (cents === undefined || !Number.isFinite(cents) || cents < 0) continue;
    const key = `${r.day}\u0000${r.source}`;
    const g = groups.get(key) ?? { day: r.day, source: r.source, cents: 0, events: 0 };
    g.cents += cents;
    g.events += 1;
    groups.set(key, g);
  }
  return groups.size ? [usage.chargesWrite(userId, groups)] : [];
}

/** A session this batch started: when and where its first event belongs. */
interface Started { first: number; provider: string; source: string }

/** Adds to sessions after running `writes`; returns the sessions this batch started. */
async function addSessions(tx: Sql, userId: number, rows: Row[], writes: Statement[]): Promise<Started[]> {
  const groups = new Map<string, usage.SessionAdd>();
  for (const { ev, source } of rows) {
    if (ev.session === undefined) continue;
    const tokens = tokensOf(ev);
    let g = groups.get(ev.session);
    if (!g) groups.set(ev.session, (g = { source, provider: ev.provider, first: ev.ts, last: ev.ts, events: 0, tokens: 0, models: new Map() }));
    if (ev.ts < g.first) { g.first = ev.ts; g.source = source; g.provider = ev.provider; }
    g.last = Math.max(g.last, ev.ts);
    g.events++;
    g.tokens += tokens;
    g.models.set(ev.model, (g.models.get(ev.model) ?? 0) + tokens);
  }
  if (groups.size === 0) {
    await usage.writeAll(tx, writes);
    return [];
  }
  const after = await usage.addSessions(tx, userId, groups, writes);
  // A session whose stored count equals what this batch brought was created by it.
  const started: Started[] = [];
  for (const [hash, events] of after) {
    const g = groups.get(hash)!;
    if (events === g.events) started.push({ first: g.first, provider: g.provider, source: g.source });
  }
  return started;
}

/** Skill uses per day: none or one statement. */
function skillsWrite(userId: number, rows: Row[]): Statement[] {
  const counts = new Map<string, { day: string; name: string; count: number }>();
  for (const { ev, day } of rows) {
    for (const name of ev.skills ?? []) {
      const key = `${day}\u0000${name}`;
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { day, name, count: 1 });
    }
  }
  return counts.size ? [usage.skillsWrite(userId, counts)] : [];
}

/**
 * user_days, user_totals and the per-facet read model, by atomic increments; then `also`
 * and `last` (see usage.addReadModel), whose rows are returned.
 */
async function addReadModel<T extends object>(tx: Sql, userId: number, rows: Row[], started: Started[], calendar: DayCalendar, also: Statement[], last: Statement): Promise<T[]> {
  const days = new Map<string, usage.DaySums>();
  const facetDays = new Map<string, { day: string; facet: Facet; sums: usage.FacetSums }>();
  const dayOf = (day: string) => {
    let d = days.get(day);
    if (!d) days.set(day, (d = [0, 0, 0, 0, 0, 0, 0, 0]));
    return d;
  };
  const facetDay = (day: string, facet: Facet) => {
    const key = `${day}\u0000${facet}`;
    let f = facetDays.get(key);
    if (!f) facetDays.set(key, (f = { day, facet, sums: [0, 0, 0, 0, 0] }));
    return f.sums;
  };
  for (const { ev, day, source, cost, messages } of rows) {
    const d = dayOf(day);
    const tokens = tokensOf(ev);
    d[0] += ev.input_tokens; d[1] += ev.output_tokens; d[2] += ev.cache_read_tokens; d[3] += ev.cache_write_tokens; d[4] += messages;
    if (cost === null) d[7] += tokens; else d[6] += cost;
    for (const facet of facetsOf(ev.provider, source)) {
      const f = facetDay(day, facet);
      f[0] += tokens; f[1] += messages;
      if (cost === null) f[4] += tokens; else f[3] += cost;
    }
  }
  // Sessions count on the day they start, for the provider and tool of their first event.
  for (const s of started) {
    const day = calendar.dayOf(s.first);
    dayOf(day)[5] += 1;
    for (const facet of facetsOf(s.provider, s.source)) facetDay(day, facet)[2] += 1;
  }

  const total: usage.DaySums = [0, 0, 0, 0, 0, 0, 0, 0];
  for (const d of days.values()) d.forEach((v, i) => { total[i] += v; });
  const sorted = [...days.keys()].sort();
  const facetTotals = new Map<Facet, { sums: usage.FacetSums; first: string; last: string }>();
  for (const { day, facet, sums } of facetDays.values()) {
    let t = facetTotals.get(facet);
    if (!t) facetTotals.set(facet, (t = { sums: [0, 0, 0, 0, 0], first: day, last: day }));
    sums.forEach((v, i) => { t!.sums[i] += v; });
    if (day < t.first) t.first = day;
    if (day > t.last) t.last = day;
  }
  return usage.addReadModel<T>(tx, userId, { days, total, firstDay: sorted[0], lastDay: sorted[sorted.length - 1], facetDays, facetTotals }, also, last);
}
