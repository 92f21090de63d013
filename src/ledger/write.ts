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
import { touchUsed } from '../db/repos/tokens.ts';
import { bumpVersion } from '../db/repos/versions.ts';
import { facetsOf, PROVIDER_SOURCES, tokensOf, type Facet } from './rules.ts';
import { recomputeDays } from './recompute.ts';

export class ReplayError extends Error {
  constructor() { super('replay'); }
}

export interface BatchMeta {
  userId: number;
  /** The agent token that signed it (its last use is recorded), or null (imports). */
  tokenId: number | null;
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

interface Row {
  ev: WireEvent;
  day: string;
  source: string;
  tier: number;
  oneHour: number;
  /** USD at the current prices, or null when the model has no price. */
  cost: number | null;
}

/**
 * Stores a batch in its own write transaction. The price table is read inside it (see
 * prices() in ledger/prices.ts): while the transaction holds the write lock no price edit
 * can commit, so the cost stored matches the table a concurrent re-pricing uses.
 */
export async function storeBatch(db: Db, meta: BatchMeta, events: WireEvent[], calendar: DayCalendar, prices: (tx: Sql) => Promise<PriceTable>): Promise<StoreResult> {
  return db.writer.transaction(async (tx) => storeInTx(tx, meta, events, calendar, await prices(tx)));
}

/** The steps of storing a batch, inside a write transaction the caller holds. */
export async function storeInTx(tx: Sql, meta: BatchMeta, events: WireEvent[], calendar: DayCalendar, table: PriceTable): Promise<StoreResult> {
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

  if (meta.replay && !(await usage.insertReplay(tx, meta.userId, meta.replay.ts, meta.replay.bodySha256, meta.now))) throw new ReplayError();
  if (meta.tokenId !== null) await touchUsed(tx, meta.tokenId, new Date(meta.now));
  if (unique.length === 0) return { accepted: 0, duplicates };

  const rows = unique.map((ev): Row => {
    const price = ev.is_local ? null : table.lookup(ev.model);
    const tier = tierFor(price, ev);
    return {
      ev, day: calendar.dayOf(ev.ts), source: ev.source ?? 'unknown', tier, oneHour: ev.cache_write_1h_tokens ?? 0,
      cost: ev.is_local ? 0 : price ? costUsd(price, tier, ev) : null,
    };
  });
  const inserted = await insertEvents(tx, meta, rows);
  duplicates += rows.length - inserted.length;
  if (inserted.length === 0) return { accepted: 0, duplicates };

  await addRollups(tx, meta.userId, inserted);
  const started = await addSessions(tx, meta.userId, inserted);
  await addSkills(tx, meta.userId, inserted);
  await addReadModel(tx, meta.userId, inserted, started, calendar);
  // Days where the provider's own numbers exist follow the reconciliation rule: rewrite
  // them from the rollups. Other days keep the cheap increments above.
  const touched = [...new Set(inserted.map((r) => r.day))];
  const anchored = await usage.anchoredDays(tx, meta.userId, touched, PROVIDER_SOURCES);
  if (anchored.length) await recomputeDays(tx, anchored.map((day) => ({ user_id: meta.userId, day })), table);
  await bumpVersion(tx, 'usage');
  return { accepted: inserted.length, duplicates };
}

async function insertEvents(tx: Sql, meta: BatchMeta, rows: Row[]): Promise<Row[]> {
  const stored = await usage.insertEvents(tx, meta.userId, rows.map(({ ev, day, source, tier, oneHour }) => ({
    event_id: ev.id ?? null, ts: ev.ts, day, provider: ev.provider, model: ev.model, is_local: ev.is_local,
    input_tokens: ev.input_tokens, output_tokens: ev.output_tokens, cache_read_tokens: ev.cache_read_tokens, cache_write_tokens: ev.cache_write_tokens,
    cache_write_1h_tokens: oneHour, source, session_hash: ev.session ?? null, skills: ev.skills && ev.skills.length ? JSON.stringify(ev.skills) : null, tier,
  })), meta.now);
  if (stored.length === rows.length) return rows;
  const ids = new Set(stored);
  return rows.filter((r) => r.ev.id === undefined || ids.has(r.ev.id));
}

async function addRollups(tx: Sql, userId: number, rows: Row[]): Promise<void> {
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
    g.events += 1;
  }
  await usage.addRollups(tx, userId, groups);
}

/** A session this batch started: when and where its first event belongs. */
interface Started { first: number; provider: string; source: string }

/** Adds to sessions; returns the sessions this batch started. */
async function addSessions(tx: Sql, userId: number, rows: Row[]): Promise<Started[]> {
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
  if (groups.size === 0) return [];
  const after = await usage.addSessions(tx, userId, groups);
  // A session whose stored count equals what this batch brought was created by it.
  const started: Started[] = [];
  for (const [hash, events] of after) {
    const g = groups.get(hash)!;
    if (events === g.events) started.push({ first: g.first, provider: g.provider, source: g.source });
  }
  return started;
}

async function addSkills(tx: Sql, userId: number, rows: Row[]): Promise<void> {
  const counts = new Map<string, { day: string; name: string; count: number }>();
  for (const { ev, day } of rows) {
    for (const name of ev.skills ?? []) {
      const key = `${day}\u0000${name}`;
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { day, name, count: 1 });
    }
  }
  if (counts.size) await usage.addSkills(tx, userId, counts);
}

/** user_days, user_totals and the per-facet read model, by atomic increments. */
async function addReadModel(tx: Sql, userId: number, rows: Row[], started: Started[], calendar: DayCalendar): Promise<void> {
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
  for (const { ev, day, source, cost } of rows) {
    const d = dayOf(day);
    const tokens = tokensOf(ev);
    d[0] += ev.input_tokens; d[1] += ev.output_tokens; d[2] += ev.cache_read_tokens; d[3] += ev.cache_write_tokens; d[4] += 1;
    if (cost === null) d[7] += tokens; else d[6] += cost;
    for (const facet of facetsOf(ev.provider, source)) {
      const f = facetDay(day, facet);
      f[0] += tokens; f[1] += 1;
      if (cost === null) f[4] += tokens; else f[3] += cost;
    }
  }
  // Sessions count on the day they start, for the provider and tool of their first event.
  for (const s of started) {
    const day = calendar.dayOf(s.first);
    dayOf(day)[5] += 1;
    for (const facet of facetsOf(s.provider, s.source)) facetDay(day, facet)[2] += 1;
  }

  const newDays = await usage.addUserDays(tx, userId, days);
  const total: usage.DaySums = [0, 0, 0, 0, 0, 0, 0, 0];
  for (const d of days.values()) d.forEach((v, i) => { total[i] += v; });
  const sorted = [...days.keys()].sort();
  await usage.addUserTotals(tx, userId, total, newDays.length, sorted[0], sorted[sorted.length - 1]);

  const newFacetDays = await usage.addFacetDays(tx, userId, facetDays);
  const totals = new Map<Facet, { sums: usage.FacetSums; newDays: number; first: string; last: string }>();
  for (const { day, facet, sums } of facetDays.values()) {
    let t = totals.get(facet);
    if (!t) totals.set(facet, (t = { sums: [0, 0, 0, 0, 0], newDays: 0, first: day, last: day }));
    sums.forEach((v, i) => { t!.sums[i] += v; });
    if (day < t.first) t.first = day;
    if (day > t.last) t.last = day;
  }
  for (const { facet } of newFacetDays) totals.get(facet)!.newDays++;
  await usage.addFacetTotals(tx, userId, totals);
}
