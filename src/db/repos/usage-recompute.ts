// The SQL of recomputing person-days (the reconciliation rule on anchored days, re-pricing,
// rebuilds): reading a day's rollups and corrections and setting the read model's rows to
// what the ledger computed. Only src/ledger/ calls these; the increments of ingest are in
// usage-write.ts.
import { bool, marks, maxParams, num, together, valuesFrom, type ColumnType, type Statement } from '../dialect.ts';
import type { Sql } from '../sql.ts';
import type { DayRollup, Facet, FacetFigures, DayFigures } from '../../ledger/rules.ts';
import { addSums, GROUP_COLS, rollupKey, sumsOf } from './usage-write.ts';

/** Of these days, those where the person has provider-trust rollups. */
export async function anchoredDays(q: Sql, userId: number, days: string[], providerSources: readonly string[]): Promise<string[]> {
  if (days.length === 0) return [];
  const s = anchoredDaysQuery(userId, days, providerSources);
  return (await q.all<{ day: string }>(s.text, s.params)).map((r) => r.day);
}

/** anchoredDays as a statement (rows: { day }), to run together with writes. */
export function anchoredDaysQuery(userId: number, days: string[], providerSources: readonly string[]): Statement {
  return {
    text: `SELECT DISTINCT day FROM daily_rollups WHERE user_id = ? AND day IN (${marks(days.length)}) AND source IN (${marks(providerSources.length)})`,
    params: [userId, ...days, ...providerSources],
  };
}

/** Every (person, day) with provider-trust rollups. */
export async function anchoredUserDays(q: Sql, providerSources: readonly string[]): Promise<{ user_id: number; day: string }[]> {
  return (await q.all<{ user_id: number; day: string }>(`SELECT DISTINCT user_id, day FROM daily_rollups WHERE source IN (${marks(providerSources.length)})`, [...providerSources]))
    .map((r) => ({ user_id: num(r.user_id), day: r.day }));
}

export interface StoredRollup extends DayRollup {
  user_id: number;
  day: string;
}

function toRollup(r: Record<string, unknown>): StoredRollup {
  return {
    user_id: num(r.user_id), day: String(r.day), provider: String(r.provider), model: String(r.model), source: String(r.source),
    is_local: bool(r.is_local), tier: num(r.tier),
    input_tokens: num(r.input_tokens), output_tokens: num(r.output_tokens), cache_read_tokens: num(r.cache_read_tokens),
    cache_write_tokens: num(r.cache_write_tokens), cache_write_1h_tokens: num(r.cache_write_1h_tokens), events: num(r.events),
  };
}

const ROLLUP_COLS = 'user_id, day, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, events';

/** Rows of a table keyed like daily_rollups (daily_rollups, rollup_corrections) for these person-days. */
async function rowsOfDays(q: Sql, table: 'daily_rollups' | 'rollup_corrections', keys: { user_id: number; day: string }[]): Promise<StoredRollup[]> {
  const out: StoredRollup[] = [];
  for (let i = 0; i < keys.length; i += 400) {
    const part = keys.slice(i, i + 400);
    const rows = await q.all<Record<string, unknown>>(
      // CAST: PostgreSQL types a VALUES list on its own, and an untyped parameter reads as text.
      `SELECT ${ROLLUP_COLS} FROM ${table} WHERE (user_id, day) IN (VALUES ${new Array(part.length).fill('(CAST(? AS INTEGER), ?)').join(',')})`,
      part.flatMap((k) => [k.user_id, k.day]));
    for (const r of rows) out.push(toRollup(r));
  }
  return out;
}

/** Every rollup row of these person-days. */
export function rollupsOfDays(q: Sql, keys: { user_id: number; day: string }[]): Promise<StoredRollup[]> {
  return rowsOfDays(q, 'daily_rollups', keys);
}

/** What the reconciliation rule takes off one rollup row (rollup_corrections). */
export interface StoredCorrection extends StoredRollup {}

/** The stored corrections of these person-days. */
export function correctionsOfDays(q: Sql, keys: { user_id: number; day: string }[]): Promise<StoredCorrection[]> {
  return rowsOfDays(q, 'rollup_corrections', keys);
}

/** Replaces the corrections of these person-days with `rows` (all of them on those days). */
export async function setCorrections(q: Sql, keys: { user_id: number; day: string }[], rows: StoredCorrection[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 400) {
    const part = keys.slice(i, i + 400);
    await q.run(`DELETE FROM rollup_corrections WHERE (user_id, day) IN (VALUES ${new Array(part.length).fill('(CAST(? AS INTEGER), ?)').join(',')})`,
      part.flatMap((k) => [k.user_id, k.day]));
  }
  const sorted = [...rows].sort((a, b) => (a.user_id - b.user_id) || cmp(rollupKey(a), rollupKey(b)));
  for (let i = 0; i < sorted.length; i += 400) {
    const part = sorted.slice(i, i + 400);
    const s = addSums('rollup_corrections', `day, ${GROUP_COLS}`, part.map((r) => [r.user_id, r.day, r.provider, r.model, r.source, r.is_local, r.tier, ...sumsOf(r)]));
    await q.run(s.text, s.params);
  }
}

/** Adds (signed) amounts to people's rollup_totals rows, which exist (the raw sums went in first). */
export async function changeRollupTotals(q: Sql, rows: (DayRollup & { user_id: number })[]): Promise<void> {
  const sorted = [...rows].sort((a, b) => (a.user_id - b.user_id) || cmp(rollupKey(a), rollupKey(b)));
  for (let i = 0; i < sorted.length; i += 400) {
    const part = sorted.slice(i, i + 400);
    const s = addSums('rollup_totals', GROUP_COLS, part.map((r) => [r.user_id, r.provider, r.model, r.source, r.is_local, r.tier, ...sumsOf(r)]));
    await q.run(s.text, s.params);
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** A rollup's group (and day, when it has one) as one string, in the order ingest writes them. */

type Cols = [name: string, type: ColumnType][];

/** UPDATE table SET col = v.col … for many rows at once, in chunks. */
async function bulkSet(q: Sql, table: string, keys: Cols, sets: Cols, rows: unknown[][]): Promise<void> {
  const cols = [...keys, ...sets];
  const per = Math.max(1, Math.min(500, Math.floor(maxParams(q.dialect) / cols.length)));
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const v = valuesFrom(q.dialect, 'v', cols, part.length);
    await q.run(`UPDATE ${table} SET ${sets.map(([c]) => `${c} = ${v.col(c)}`).join(', ')}
                  FROM ${v.from} WHERE ${keys.map(([c]) => `${table}.${c} = ${v.col(c)}`).join(' AND ')}`, part.flat());
  }
}

/** Rewrites person-days' read-model rows (their sessions, counted on the day they start, stay). */
export async function setUserDays(q: Sql, rows: { user_id: number; day: string; f: DayFigures }[]): Promise<void> {
  await bulkSet(q, 'user_days', [['user_id', 'int'], ['day', 'text']],
    [['input_tokens', 'bigint'], ['output_tokens', 'bigint'], ['cache_read_tokens', 'bigint'], ['cache_write_tokens', 'bigint'], ['events', 'bigint'],
      ['cost_usd', 'real'], ['unpriced_tokens', 'bigint'], ['replaced_tokens', 'bigint']],
    rows.map(({ user_id, day, f }) => [user_id, day, f.input_tokens, f.output_tokens, f.cache_read_tokens, f.cache_write_tokens, f.events, f.cost_usd, f.unpriced_tokens, f.replaced_tokens]));
}

/** Rewrites person-day facet rows (their sessions stay). */
export async function setFacetDays(q: Sql, rows: { user_id: number; day: string; facet: Facet; f: FacetFigures }[]): Promise<void> {
  await bulkSet(q, 'user_day_facets', [['user_id', 'int'], ['day', 'text'], ['facet', 'text']],
    [['tokens', 'bigint'], ['events', 'bigint'], ['cost_usd', 'real'], ['unpriced_tokens', 'bigint'], ['replaced_tokens', 'bigint']],
    rows.map(({ user_id, day, facet, f }) => [user_id, day, facet, f.tokens, f.events, f.cost_usd, f.unpriced_tokens, f.replaced_tokens]));
}

/** Re-sums people's all-time rows from their days (after days were rewritten). */
export async function resumTotals(q: Sql, userIds: number[]): Promise<void> {
  const cols = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'events', 'cost_usd', 'unpriced_tokens', 'replaced_tokens'];
  const fcols = ['tokens', 'events', 'cost_usd', 'unpriced_tokens', 'replaced_tokens'];
  for (let i = 0; i < userIds.length; i += 500) {
    const part = userIds.slice(i, i + 500);
    await q.run(`UPDATE user_totals SET ${cols.map((c) => `${c} = COALESCE((SELECT SUM(d.${c}) FROM user_days d WHERE d.user_id = user_totals.user_id), 0)`).join(', ')}
                  WHERE user_id IN (${marks(part.length)})`, part);
    await q.run(`UPDATE user_facet_totals SET ${fcols.map((c) => `${c} = COALESCE((SELECT SUM(d.${c}) FROM user_day_facets d
                    WHERE d.user_id = user_facet_totals.user_id AND d.facet = user_facet_totals.facet), 0)`).join(', ')}
                  WHERE user_id IN (${marks(part.length)})`, part);
  }
}

/** The (model, is_local, tier) combinations in the rollups. */
export async function modelKeys(q: Sql): Promise<{ model: string; is_local: boolean; tier: number }[]> {
  return (await q.all<Record<string, unknown>>('SELECT DISTINCT model, is_local, tier FROM daily_rollups'))
    .map((r) => ({ model: String(r.model), is_local: bool(r.is_local), tier: num(r.tier) }));
}

/** Person-days that used any of these models. */
export async function daysWithModels(q: Sql, models: string[]): Promise<{ user_id: number; day: string }[]> {
  const out = new Map<string, { user_id: number; day: string }>();
  for (let i = 0; i < models.length; i += 500) {
    const part = models.slice(i, i + 500);
    for (const r of await q.all<{ user_id: number; day: string }>(`SELECT DISTINCT user_id, day FROM daily_rollups WHERE model IN (${marks(part.length)})`, part)) {
      out.set(`${r.user_id}\u0000${r.day}`, { user_id: num(r.user_id), day: r.day });
    }
  }
  return [...out.values()];
}

export async function allUserDays(q: Sql): Promise<{ user_id: number; day: string }[]> {
  return (await q.all<{ user_id: number; day: string }>('SELECT user_id, day FROM user_days')).map((r) => ({ user_id: num(r.user_id), day: r.day }));
}

