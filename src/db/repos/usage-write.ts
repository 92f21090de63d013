// The SQL the ledger writes usage with: raw events, daily rollups, sessions, skills and
// the read model (user_days, user_totals, user_day_facets, user_facet_totals); recomputing
// whole person-days is in usage-recompute.ts. Only
// src/ledger/ calls these. Every upsert adds to what is stored (atomic increments), and
// rows go in key order so concurrent writers on PostgreSQL lock them in the same order.
import { greatest, least, marks, num, rowsOf, together, valuesFrom, type Statement } from '../dialect.ts';
import type { Dialect, Sql } from '../sql.ts';
import { sharePricesRead } from './versions.ts';
import { COUNTS, type DayRollup, type Facet } from '../../ledger/rules.ts';

const byKey = <T>(m: Map<string, T>): [string, T][] => [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

const REPLAY_INSERT = 'INSERT INTO replay_records (user_id, ts, body_sha256, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING user_id';

/**
 * What a batch records before its events: the replay record of a signed request (false: the
 * same one was stored before) and `touch`, its token's last use (one round trip on PostgreSQL).
 */
export async function recordArrival(q: Sql, userId: number, replay: { ts: number; bodySha256: string } | null, touch: Statement | null, now: number): Promise<boolean> {
  const writes = touch ? [touch] : [];
  if (!replay) return writeAll(q, writes).then(() => true);
  const fresh = await together(q, writes, { text: REPLAY_INSERT, params: [userId, replay.ts, replay.bodySha256, now] });
  return fresh.length > 0;
}

/**
 * recordArrival, and the prices version held for sharing (versions.sharePricesVersion), in
 * one round trip on PostgreSQL and one statement on SQLite: at ingest rates every round trip
 * to the database (on SQLite, every hop to its thread) is a fixed cost of a batch. `fresh` is
 * false when the replay record existed (the version is then not needed).
 */
export async function recordArrivalSharingPrices(q: Sql, userId: number, replay: { ts: number; bodySha256: string } | null, touch: Statement | null, now: number): Promise<{ fresh: boolean; pricesVersion: number }> {
  const prices = sharePricesRead(q.dialect);
  if (q.dialect === 'sqlite') {
    if (touch) await q.run(touch.text, touch.params);
    if (!replay) return { fresh: true, pricesVersion: num((await q.all<{ version: number }>(prices.text, prices.params))[0]?.version) };
    const rows = await q.all<{ version: number }>(`${REPLAY_INSERT}, (${prices.text}) AS version`, [userId, replay.ts, replay.bodySha256, now]);
    return { fresh: rows.length > 0, pricesVersion: num(rows[0]?.version) };
  }
  const writes: (Statement & { name?: string })[] = touch ? [touch] : [];
  if (replay) writes.push({ name: 'arrived', text: REPLAY_INSERT, params: [userId, replay.ts, replay.bodySha256, now] });
  // The version read in FROM keeps its locking clause (FOR SHARE applies to its row only).
  const [row] = await together<{ fresh: number; version: number }>(q, writes, {
    text: `SELECT ${replay ? '(SELECT count(*) FROM arrived)' : '1'} AS fresh, p.version FROM (${prices.text}) p`, params: prices.params,
  });
  return { fresh: num(row?.fresh) > 0, pricesVersion: num(row?.version) };
}

/** Runs writes that touch different rows (see `together`): one round trip on PostgreSQL. */
export async function writeAll(q: Sql, writes: Statement[]): Promise<void> {
  if (writes.length) await together(q, writes.slice(0, -1), writes[writes.length - 1]);
}

export interface EventRow {
  event_id: string | null;
  ts: number;
  day: string;
  provider: string;
  model: string;
  is_local: boolean;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  source: string;
  session_hash: string | null;
  skills: string | null;
  tier: number;
  /** Messages the event stands for (1 for a model response). */
  messages: number;
}


/**
 * Inserts events; an event whose (user, event id) is stored already is left out. Returns
 * the event ids inserted (null for events without one).
 */
export async function insertEvents(q: Sql, userId: number, rows: EventRow[], receivedAt: number): Promise<(string | null)[]> {
  const data = rows.map((r) => [r.event_id, r.ts, r.day, r.provider, r.model, r.is_local, r.input_tokens, r.output_tokens,
    r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens, r.source, r.session_hash, r.skills, r.tier, r.messages]);
  const returned = await q.all<{ event_id: string | null }>(q.dialect === 'postgres' ? PG_INSERT : SQLITE_INSERT, [userId, receivedAt, JSON.stringify(data)]);
  return returned.map((r) => r.event_id);
}

// The rows go as one JSON text of arrays that the database unpacks itself: binding 18 values
// per event one by one cost the event loop more than the insert (sqlite3 converts each
// value on the main thread; pg serialises each and PostgreSQL parses a 9,000-parameter
// Bind). One string is bound once. Each array holds these columns, in this order
// (user_id and received_at are the batch's); the PostgreSQL casts are the column types.
const JSON_COLS: [name: string, pgType: string][] = [
  ['event_id', 'text'], ['ts', 'bigint'], ['day', 'text'], ['provider', 'text'], ['model', 'text'], ['is_local', 'boolean'],
  ['input_tokens', 'bigint'], ['output_tokens', 'bigint'], ['cache_read_tokens', 'bigint'], ['cache_write_tokens', 'bigint'],
  ['cache_write_1h_tokens', 'bigint'], ['source', 'text'], ['session_hash', 'text'], ['skills', 'text'], ['tier', 'integer'], ['messages', 'bigint'],
];
const INSERT_COLS = ['user_id', ...JSON_COLS.map(([c]) => c), 'received_at'].join(', ');
// SQLite: JSON true/false read with ->> are 1/0, as the boolean column stores them.
const SQLITE_INSERT = `INSERT INTO usage_events (${INSERT_COLS})
  SELECT ?, ${JSON_COLS.map((_, i) => `e.value ->> ${i}`).join(', ')}, ? FROM json_each(?) AS e WHERE true
  ON CONFLICT (user_id, event_id) DO NOTHING RETURNING event_id`;
const PG_INSERT = `INSERT INTO usage_events (${INSERT_COLS})
  SELECT ?, ${JSON_COLS.map(([, type], i) => `(e ->> ${i})::${type}`).join(', ')}, ? FROM json_array_elements(?::json) AS e
  ON CONFLICT (user_id, event_id) DO NOTHING RETURNING event_id`;

export interface RollupAdd extends DayRollup {
  day: string;
}

const SUM_COLS = COUNTS;
export const GROUP_COLS = 'provider, model, source, is_local, tier';
export const sumsOf = (g: DayRollup) => SUM_COLS.map((c) => g[c]);

export const rollupKey = (g: { day?: string; provider: string; model: string; source: string; is_local: boolean; tier: number }) =>
  `${g.day ?? ''}\u0000${g.provider}\u0000${g.model}\u0000${g.source}\u0000${g.is_local}\u0000${g.tier}`;

/** An upsert that adds sums to rows keyed by (user_id, keyCols…): the increments of daily_rollups and rollup_totals. */
export function addSums(table: string, keyCols: string, rows: unknown[][]): Statement {
  const cols = `user_id, ${keyCols}, ${SUM_COLS.join(', ')}`;
  return {
    text: `INSERT INTO ${table} AS r (${cols}) VALUES ${rowsOf(rows[0].length, rows.length)}
     ON CONFLICT (user_id, ${keyCols}) DO UPDATE SET ${SUM_COLS.map((c) => `${c} = r.${c} + excluded.${c}`).join(', ')}`,
    params: rows.flat(),
  };
}

/**
 * Adds to daily_rollups and to the all-time rollup_totals (as statements: the ledger runs
 * them together with the batch's other writes).
 */
export function rollupsWrite(userId: number, groups: Map<string, RollupAdd>): Statement[] {
  const days: unknown[][] = [];
  const totals = new Map<string, unknown[]>();
  for (const [, g] of byKey(groups)) {
    days.push([userId, g.day, g.provider, g.model, g.source, g.is_local, g.tier, ...sumsOf(g)]);
    const k = rollupKey({ ...g, day: undefined });
    const t = totals.get(k);
    if (t) SUM_COLS.forEach((c, i) => { (t[6 + i] as number) += g[c]; });
    else totals.set(k, [userId, g.provider, g.model, g.source, g.is_local, g.tier, ...sumsOf(g)]);
  }
  return [addSums('daily_rollups', `day, ${GROUP_COLS}`, days), addSums('rollup_totals', GROUP_COLS, byKey(totals).map(([, r]) => r))];
}

export interface ChargeAdd { day: string; source: string; cents: number; events: number }

/** Adds what a vendor billed to vendor_charges (per person, source and day), as a statement. */
export function chargesWrite(userId: number, groups: Map<string, ChargeAdd>): Statement {
  const params: unknown[] = [];
  for (const [, g] of byKey(groups)) params.push(userId, g.source, g.day, g.cents, g.events);
  return {
    text: `INSERT INTO vendor_charges AS c (user_id, source, day, cents, events) VALUES ${rowsOf(5, groups.size)}
     ON CONFLICT (user_id, source, day) DO UPDATE SET cents = c.cents + excluded.cents, events = c.events + excluded.events`,
    params,
  };
}

export interface SessionAdd {
  source: string;
  provider: string;
  first: number;
  last: number;
  events: number;
  tokens: number;
  /** Tokens per model in this batch (the session's main model is the one with the most). */
  models: Map<string, number>;
}

function topModel(models: Map<string, number>): string {
  let best = '';
  let most = -1;
  for (const [m, t] of models) if (t > most || (t === most && m < best)) { best = m; most = t; }
  return best;
}

/**
 * Adds to sessions, after running `alongside` (the batch's other writes) in the same round
 * trip; returns, per session hash, its stored event count afterwards.
 */
export async function addSessions(q: Sql, userId: number, groups: Map<string, SessionAdd>, alongside: Statement[] = []): Promise<Map<string, number>> {
  const params: unknown[] = [];
  const sorted = byKey(groups);
  for (const [hash, g] of sorted) params.push(userId, hash, g.source, g.provider, topModel(g.models), g.first, g.last, g.events, g.tokens);
  const d = q.dialect;
  const after = await together<{ session_hash: string; events: number }>(q, alongside, {
    text: `INSERT INTO sessions AS s (user_id, session_hash, source, provider, model, first_ts, last_ts, events, tokens)
     VALUES ${rowsOf(9, groups.size)}
     ON CONFLICT (user_id, session_hash) DO UPDATE SET
       first_ts = ${least(d, 's.first_ts', 'excluded.first_ts')},
       last_ts = ${greatest(d, 's.last_ts', 'excluded.last_ts')},
       events = s.events + excluded.events,
       tokens = s.tokens + excluded.tokens
     RETURNING session_hash, events`,
    params,
  });
  // Tokens per (session, model); then the main model is the one with the most tokens.
  const mp: unknown[] = [];
  let n = 0;
  for (const [hash, g] of sorted) {
    for (const [model, tokens] of [...g.models].sort((a, b) => (a[0] < b[0] ? -1 : 1))) { mp.push(userId, hash, model, tokens); n++; }
  }
  const models = `INSERT INTO session_models AS m (user_id, session_hash, model, tokens) VALUES ${rowsOf(4, n)}
       ON CONFLICT (user_id, session_hash, model) DO UPDATE SET tokens = m.tokens + excluded.tokens
       RETURNING session_hash, model, tokens`;
  if (n > 0 && d === 'postgres') {
    // One round trip: the totals per (session, model) feed the update of the main model. The
    // sessions rows were written (and locked) by the statement above, so this one takes no
    // new locks. Ties go to the smaller model name in byte order, as below.
    await q.run(`WITH m AS (${models}),
       best AS (SELECT DISTINCT ON (session_hash) session_hash, model, tokens FROM m ORDER BY session_hash, tokens DESC, model COLLATE "C")
       UPDATE sessions AS s SET model = best.model, model_tokens = best.tokens FROM best
        WHERE s.user_id = ? AND s.session_hash = best.session_hash AND (s.model_tokens < best.tokens OR s.model = best.model)`, [...mp, userId]);
  } else if (n > 0) {
    const totals = await q.all<{ session_hash: string; model: string; tokens: number }>(models, mp);
    const best = new Map<string, { model: string; tokens: number }>();
    for (const t of totals) {
      const b = best.get(t.session_hash);
      const tk = num(t.tokens);
      if (!b || tk > b.tokens || (tk === b.tokens && t.model < b.model)) best.set(t.session_hash, { model: t.model, tokens: tk });
    }
    // Every session of the batch in one statement (a year of history brings tens per batch,
    // and each statement is a hop to SQLite's thread).
    const v = valuesFrom(d, 'b', [['hash', 'text'], ['model', 'text'], ['tokens', 'bigint']], best.size);
    const bp: unknown[] = [];
    for (const [hash, b] of [...best].sort((x, y) => (x[0] < y[0] ? -1 : 1))) bp.push(hash, b.model, b.tokens);
    await q.run(`UPDATE sessions AS s SET model = ${v.col('model')}, model_tokens = ${v.col('tokens')} FROM ${v.from}
      WHERE s.user_id = ? AND s.session_hash = ${v.col('hash')} AND (s.model_tokens < ${v.col('tokens')} OR s.model = ${v.col('model')})`, [...bp, userId]);
  }
  return new Map(after.map((r) => [r.session_hash, num(r.events)]));
}

/** Adds skill uses per day, as a statement. */
export function skillsWrite(userId: number, counts: Map<string, { day: string; name: string; count: number }>): Statement {
  const params: unknown[] = [];
  for (const [, c] of byKey(counts)) params.push(userId, c.day, c.name, c.count);
  return {
    text: `INSERT INTO skills AS k (user_id, day, name, count) VALUES ${rowsOf(4, counts.size)}
     ON CONFLICT (user_id, day, name) DO UPDATE SET count = k.count + excluded.count`,
    params,
  };
}

/** [input, output, cache read, cache write, events, sessions, cost, unpriced tokens] */
export type DaySums = [number, number, number, number, number, number, number, number];

/** [tokens, events, sessions, cost, unpriced tokens] per (day, facet) */
export type FacetSums = [number, number, number, number, number];

/** What one batch adds to the read model; the counts of new active days are found on the way. */
export interface ReadModelAdd {
  days: Map<string, DaySums>;
  total: DaySums;
  firstDay: string;
  lastDay: string;
  facetDays: Map<string, { day: string; facet: Facet; sums: FacetSums }>;
  facetTotals: Map<Facet, { sums: FacetSums; first: string; last: string }>;
}

// The increments, the same on both engines and on both paths below.
const DAYS_COLS = 'input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events, sessions, cost_usd, unpriced_tokens';
const DAYS_ADD = `input_tokens = d.input_tokens + excluded.input_tokens, output_tokens = d.output_tokens + excluded.output_tokens,
       cache_read_tokens = d.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens,
       events = d.events + excluded.events, sessions = d.sessions + excluded.sessions,
       cost_usd = d.cost_usd + excluded.cost_usd, unpriced_tokens = d.unpriced_tokens + excluded.unpriced_tokens`;
const totalsAdd = (d: Dialect) => `input_tokens = t.input_tokens + excluded.input_tokens, output_tokens = t.output_tokens + excluded.output_tokens,
       cache_read_tokens = t.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = t.cache_write_tokens + excluded.cache_write_tokens,
       events = t.events + excluded.events, sessions = t.sessions + excluded.sessions,
       cost_usd = t.cost_usd + excluded.cost_usd, unpriced_tokens = t.unpriced_tokens + excluded.unpriced_tokens,
       active_days = t.active_days + excluded.active_days,
       first_day = ${least(d, 'COALESCE(t.first_day, excluded.first_day)', 'excluded.first_day')},
       last_day = ${greatest(d, 'COALESCE(t.last_day, excluded.last_day)', 'excluded.last_day')}`;
const FACET_COLS = 'tokens, events, sessions, cost_usd, unpriced_tokens';
const FACET_DAYS_ADD = `tokens = f.tokens + excluded.tokens, events = f.events + excluded.events, sessions = f.sessions + excluded.sessions,
       cost_usd = f.cost_usd + excluded.cost_usd, unpriced_tokens = f.unpriced_tokens + excluded.unpriced_tokens`;
const facetTotalsAdd = (d: Dialect) => `tokens = t.tokens + excluded.tokens, events = t.events + excluded.events, sessions = t.sessions + excluded.sessions,
       cost_usd = t.cost_usd + excluded.cost_usd, unpriced_tokens = t.unpriced_tokens + excluded.unpriced_tokens,
       active_days = t.active_days + excluded.active_days,
       first_day = ${least(d, 'COALESCE(t.first_day, excluded.first_day)', 'excluded.first_day')},
       last_day = ${greatest(d, 'COALESCE(t.last_day, excluded.last_day)', 'excluded.last_day')}`;

/**
 * Adds a batch to user_days, user_totals, user_day_facets and user_facet_totals by atomic
 * increments, runs `also` (writes to other tables) and then `last`, whose rows it returns.
 * A day (or facet day) is new, and counts as an active day, when its stored messages equal
 * what this batch added and the batch added some: a day without messages is not active.
 */
export async function addReadModel<T extends object>(q: Sql, userId: number, add: ReadModelAdd, also: Statement[], last: Statement): Promise<T[]> {
  if (q.dialect === 'postgres') return together<T>(q, [...readModelPg(userId, add), ...also], last);
  const newDays = await addUserDays(q, userId, add.days);
  await addUserTotals(q, userId, add.total, newDays.length, add.firstDay, add.lastDay);
  const newFacetDays = await addFacetDays(q, userId, add.facetDays);
  const totals = new Map<Facet, { sums: FacetSums; newDays: number; first: string; last: string }>();
  for (const [facet, t] of add.facetTotals) totals.set(facet, { ...t, newDays: 0 });
  for (const { facet } of newFacetDays) totals.get(facet)!.newDays++;
  await addFacetTotals(q, userId, totals);
  return together<T>(q, also, last);
}

/**
 * The same on PostgreSQL as one chain of WITH clauses (one round trip instead of four): the
 * rows go in as JSON texts, each insert's RETURNING feeds the count of new days of the
 * totals after it. Rows go in key order (day, then facet, in byte order as
 * JavaScript sorts them), as everywhere in this file, so concurrent writers lock alike.
 */
function readModelPg(userId: number, add: ReadModelAdd): (Statement & { name: string })[] {
  const days = byKey(add.days).map(([day, s]) => [day, ...s]);
  const facetDays = byKey(add.facetDays).map(([, r]) => [r.day, r.facet, ...r.sums]);
  const facetTotals = byKey(add.facetTotals).map(([facet, r]) => [facet, ...r.sums, r.first, r.last]);
  const cast = (cols: string, from: number) => cols.split(', ').map((c, i) => `(e ->> ${from + i})::${c === 'cost_usd' ? 'double precision' : 'bigint'} AS ${c}`).join(', ');
  return [
    { name: 'din', text: `SELECT e ->> 0 AS day, ${cast(DAYS_COLS, 1)} FROM json_array_elements(?::json) AS e`, params: [JSON.stringify(days)] },
    { name: 'd', text: `INSERT INTO user_days AS d (user_id, day, ${DAYS_COLS}) SELECT ?, day, ${DAYS_COLS} FROM din ORDER BY day COLLATE "C"
       ON CONFLICT (user_id, day) DO UPDATE SET ${DAYS_ADD} RETURNING d.day, d.events`, params: [userId] },
    { name: 't', text: `INSERT INTO user_totals AS t (user_id, ${DAYS_COLS}, active_days, first_day, last_day)
       VALUES (?, ${marks(8)}, (SELECT count(*) FROM d JOIN din ON din.day = d.day WHERE din.events > 0 AND d.events = din.events), ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET ${totalsAdd('postgres')}`, params: [userId, ...add.total, add.firstDay, add.lastDay] },
    { name: 'fin', text: `SELECT e ->> 0 AS day, e ->> 1 AS facet, ${cast(FACET_COLS, 2)} FROM json_array_elements(?::json) AS e`, params: [JSON.stringify(facetDays)] },
    { name: 'f', text: `INSERT INTO user_day_facets AS f (user_id, day, facet, ${FACET_COLS}) SELECT ?, day, facet, ${FACET_COLS} FROM fin ORDER BY day COLLATE "C", facet COLLATE "C"
       ON CONFLICT (user_id, facet, day) DO UPDATE SET ${FACET_DAYS_ADD} RETURNING f.day, f.facet, f.events`, params: [userId] },
    { name: 'fnew', text: `SELECT f.facet, count(*) AS n FROM f JOIN fin ON fin.day = f.day AND fin.facet = f.facet
       WHERE fin.events > 0 AND f.events = fin.events GROUP BY f.facet`, params: [] },
    { name: 'ftin', text: `SELECT e ->> 0 AS facet, ${cast(FACET_COLS, 1)}, e ->> 6 AS first_day, e ->> 7 AS last_day FROM json_array_elements(?::json) AS e`, params: [JSON.stringify(facetTotals)] },
    { name: 'ft', text: `INSERT INTO user_facet_totals AS t (user_id, facet, ${FACET_COLS}, active_days, first_day, last_day)
       SELECT ?, ftin.facet, ${FACET_COLS.split(', ').map((c) => `ftin.${c}`).join(', ')}, COALESCE(fnew.n, 0), ftin.first_day, ftin.last_day
         FROM ftin LEFT JOIN fnew ON fnew.facet = ftin.facet ORDER BY ftin.facet COLLATE "C"
       ON CONFLICT (user_id, facet) DO UPDATE SET ${facetTotalsAdd('postgres')}`, params: [userId] },
  ];
}

/** Adds to user_days; returns the days that are new (see addReadModel). */
async function addUserDays(q: Sql, userId: number, days: Map<string, DaySums>): Promise<string[]> {
  const params: unknown[] = [];
  for (const [day, d] of byKey(days)) params.push(userId, day, ...d);
  const after = await q.all<{ day: string; events: number }>(
    `INSERT INTO user_days AS d (user_id, day, ${DAYS_COLS}) VALUES ${rowsOf(10, days.size)}
     ON CONFLICT (user_id, day) DO UPDATE SET ${DAYS_ADD} RETURNING day, events`, params);
  return after.filter((r) => { const added = days.get(r.day)![4]; return added > 0 && num(r.events) === added; }).map((r) => r.day);
}

async function addUserTotals(q: Sql, userId: number, total: DaySums, newDays: number, firstDay: string, lastDay: string): Promise<void> {
  await q.run(
    `INSERT INTO user_totals AS t (user_id, ${DAYS_COLS}, active_days, first_day, last_day) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
     ON CONFLICT (user_id) DO UPDATE SET ${totalsAdd(q.dialect)}`,
    [userId, ...total, newDays, firstDay, lastDay]);
}

/** Adds to the per-facet read model; returns the (day, facet) rows that are new. */
export async function addFacetDays(q: Sql, userId: number, rows: Map<string, { day: string; facet: Facet; sums: FacetSums }>): Promise<{ day: string; facet: Facet }[]> {
  if (rows.size === 0) return [];
  const params: unknown[] = [];
  for (const [, r] of byKey(rows)) params.push(userId, r.day, r.facet, ...r.sums);
  const after = await q.all<{ day: string; facet: Facet; events: number }>(
    `INSERT INTO user_day_facets AS f (user_id, day, facet, ${FACET_COLS}) VALUES ${rowsOf(8, rows.size)}
     ON CONFLICT (user_id, facet, day) DO UPDATE SET ${FACET_DAYS_ADD} RETURNING day, facet, events`, params);
  return after.filter((r) => { const added = rows.get(`${r.day}\u0000${r.facet}`)!.sums[1]; return added > 0 && num(r.events) === added; })
    .map((r) => ({ day: r.day, facet: r.facet }));
}

export async function addFacetTotals(q: Sql, userId: number, rows: Map<Facet, { sums: FacetSums; newDays: number; first: string; last: string }>): Promise<void> {
  if (rows.size === 0) return;
  const params: unknown[] = [];
  for (const [facet, r] of byKey(rows)) params.push(userId, facet, ...r.sums, r.newDays, r.first, r.last);
  await q.run(
    `INSERT INTO user_facet_totals AS t (user_id, facet, ${FACET_COLS}, active_days, first_day, last_day) VALUES ${rowsOf(10, rows.size)}
     ON CONFLICT (user_id, facet) DO UPDATE SET ${facetTotalsAdd(q.dialect)}`, params);
}

// ---- housekeeping

export async function deleteEventsBefore(q: Sql, ts: number): Promise<number> {
  return q.run('DELETE FROM usage_events WHERE ts < ?', [ts]);
}

export async function deleteReplaysBefore(q: Sql, ts: number): Promise<number> {
  return q.run('DELETE FROM replay_records WHERE ts < ?', [ts]);
}

/** Everything recorded about a person's usage (the person is deleted next). */
export async function deleteUsageOf(q: Sql, userId: number): Promise<void> {
  for (const table of ['usage_events', 'daily_rollups', 'rollup_totals', 'rollup_corrections', 'user_days', 'user_totals', 'user_day_facets', 'user_facet_totals', 'session_models', 'sessions', 'skills', 'replay_records', 'claude_code_activity', 'otlp_state', 'vendor_charges', 'vendor_activity', 'settled_changes']) {
    await q.run(`DELETE FROM ${table} WHERE user_id = ?`, [userId]);
  }
}
