// The SQL behind every reader of usage (pages, API, team page, CSV, stats). Only
// src/ledger/read.ts calls these; rows come back typed.
import { bool, indexedBy, marks, NEVER, num } from '../dialect.ts';
import type { Sql } from '../sql.ts';
import type { Facet } from '../../ledger/rules.ts';

/** An inclusive day range; from null = since the beginning. */
export interface Days { from: string | null; to: string }

export interface RollupFilter extends Days {
  /** Only these users; undefined for everyone. */
  userIds?: number[];
  provider?: string | null;
  /** Only these sources; undefined for all. */
  sources?: readonly string[];
  /** Leave these sources out. */
  notSources?: readonly string[];
}

/** The WHERE clause (over alias r) and its parameters for a filter; `days` false leaves the days out. */
function rollupWhere(f: RollupFilter, days = true): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.userIds) {
    if (f.userIds.length === 0) parts.push(NEVER);
    else { parts.push(`r.user_id IN (${marks(f.userIds.length)})`); params.push(...f.userIds); }
  }
  if (days) {
    if (f.from !== null) { parts.push('r.day >= ?'); params.push(f.from); }
    parts.push('r.day <= ?');
    params.push(f.to);
  }
  if (f.provider) { parts.push('r.provider = ?'); params.push(f.provider); }
  if (f.sources) { parts.push(f.sources.length ? `r.source IN (${marks(f.sources.length)})` : NEVER); params.push(...f.sources); }
  if (f.notSources?.length) { parts.push(`r.source NOT IN (${marks(f.notSources.length)})`); params.push(...f.notSources); }
  return { sql: parts.join(' AND '), params };
}

export interface GroupRow {
  user_id: number;
  provider: string;
  model: string;
  source: string;
  is_local: boolean;
  tier: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  events: number;
}

const SUMS = `SUM(r.input_tokens) AS input_tokens, SUM(r.output_tokens) AS output_tokens, SUM(r.cache_read_tokens) AS cache_read_tokens,
  SUM(r.cache_write_tokens) AS cache_write_tokens, SUM(r.cache_write_1h_tokens) AS cache_write_1h_tokens, SUM(r.events) AS events`;

function toGroup(r: Record<string, unknown>): GroupRow {
  return {
    user_id: num(r.user_id), provider: String(r.provider), model: String(r.model), source: String(r.source), is_local: bool(r.is_local), tier: num(r.tier),
    input_tokens: num(r.input_tokens), output_tokens: num(r.output_tokens), cache_read_tokens: num(r.cache_read_tokens),
    cache_write_tokens: num(r.cache_write_tokens), cache_write_1h_tokens: num(r.cache_write_1h_tokens), events: num(r.events),
  };
}

/**
 * Rollup sums per (user, provider, model, source, is_local, tier) over a filter. "All time"
 * (from null) reads rollup_totals, the rule applied, one row per group; a range sums the raw
 * daily rollups, before the rule (take correctionSums off them).
 */
export async function rollupGroups(q: Sql, f: RollupFilter): Promise<GroupRow[]> {
  if (f.from === null) {
    // No day bound: as user_totals, the totals hold every day stored.
    const w = rollupWhere(f, false);
    return (await q.all<Record<string, unknown>>(
      `SELECT r.user_id, r.provider, r.model, r.source, r.is_local, r.tier, r.input_tokens, r.output_tokens, r.cache_read_tokens,
              r.cache_write_tokens, r.cache_write_1h_tokens, r.events FROM rollup_totals r${w.sql ? ` WHERE ${w.sql}` : ''}`, w.params)).map(toGroup);
  }
  const w = rollupWhere(f);
  // For some people (a page's rows, a profile): their rollups in group order, sums included
  // (daily_rollups_person). Without the hint SQLite takes the key index for some filters
  // and sorts every row of the window.
  const index = f.userIds ? indexedBy(q.dialect, 'daily_rollups_person') : '';
  return (await q.all<Record<string, unknown>>(
    `SELECT r.user_id, r.provider, r.model, r.source, r.is_local, r.tier, ${SUMS}
       FROM daily_rollups r${index} WHERE ${w.sql} GROUP BY r.user_id, r.provider, r.model, r.source, r.is_local, r.tier`, w.params)).map(toGroup);
}

/**
 * What the reconciliation rule takes off the raw sums of a range, per group: the stored
 * corrections (rollup_corrections, written by the ledger with each anchored day) over the
 * same filter. They are keyed by provider and source, all a filter looks at, so a correction
 * only meets groups the filter kept.
 */
export async function correctionSums(q: Sql, f: RollupFilter): Promise<GroupRow[]> {
  const w = rollupWhere(f);
  return (await q.all<Record<string, unknown>>(
    `SELECT r.user_id, r.provider, r.model, r.source, r.is_local, r.tier, ${SUMS}
       FROM rollup_corrections r WHERE ${w.sql} GROUP BY r.user_id, r.provider, r.model, r.source, r.is_local, r.tier`, w.params)).map(toGroup);
}

export interface PersonSums {
  user_id: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  tokens: number;
  cost_usd: number;
  unpriced_tokens: number;
  replaced_tokens: number;
  events: number;
  sessions: number;
  active_days: number;
  last_day: string | null;
}

function toSums(r: Record<string, unknown>): PersonSums {
  const i = num(r.input_tokens), o = num(r.output_tokens), cr = num(r.cache_read_tokens), cw = num(r.cache_write_tokens);
  return {
    user_id: num(r.user_id), input_tokens: i, output_tokens: o, cache_read_tokens: cr, cache_write_tokens: cw, tokens: i + o + cr + cw,
    cost_usd: num(r.cost_usd), unpriced_tokens: num(r.unpriced_tokens), replaced_tokens: num(r.replaced_tokens),
    events: num(r.events), sessions: num(r.sessions), active_days: num(r.active_days), last_day: (r.last_day as string | null) ?? null,
  };
}

/** `AND user_id IN (…)` when only some people are asked for. */
const onlyThese = (userIds: number[] | undefined) => (userIds ? { sql: ` AND user_id IN (${userIds.map(() => '?').join(', ')})`, params: userIds } : { sql: '', params: [] });

/** Per-person sums from the read model: user_totals for "all time", user_days for a range; `userIds`: only those people. */
export async function personSums(q: Sql, d: Days, userIds?: number[]): Promise<PersonSums[]> {
  const only = onlyThese(userIds);
  const rows = d.from === null
    ? await q.all<Record<string, unknown>>(`SELECT user_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens,
                                                   replaced_tokens, events, sessions, active_days, last_day FROM user_totals WHERE true${only.sql}`, only.params)
    : await q.all<Record<string, unknown>>(
      `SELECT user_id, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(cache_read_tokens) AS cache_read_tokens,
              SUM(cache_write_tokens) AS cache_write_tokens, SUM(cost_usd) AS cost_usd, SUM(unpriced_tokens) AS unpriced_tokens,
              SUM(replaced_tokens) AS replaced_tokens, SUM(events) AS events, SUM(sessions) AS sessions,
              SUM(CASE WHEN events > 0 THEN 1 ELSE 0 END) AS active_days, MAX(CASE WHEN events > 0 THEN day END) AS last_day
         FROM user_days WHERE day >= ? AND day <= ?${only.sql} GROUP BY user_id`, [d.from, d.to, ...only.params]);
  return rows.map(toSums);
}

export interface FacetSums {
  user_id: number;
  tokens: number;
  cost_usd: number;
  unpriced_tokens: number;
  events: number;
  sessions: number;
  active_days: number;
}

/** Per-person sums of one facet: user_facet_totals for "all time", user_day_facets for a range; `userIds` as for personSums. */
export async function facetSums(q: Sql, facet: Facet, d: Days, userIds?: number[]): Promise<FacetSums[]> {
  const only = onlyThese(userIds);
  const rows = d.from === null
    ? await q.all<Record<string, unknown>>(`SELECT user_id, tokens, cost_usd, unpriced_tokens, events, sessions, active_days FROM user_facet_totals WHERE facet = ?${only.sql}`, [facet, ...only.params])
    : await q.all<Record<string, unknown>>(
      `SELECT user_id, SUM(tokens) AS tokens, SUM(cost_usd) AS cost_usd, SUM(unpriced_tokens) AS unpriced_tokens, SUM(events) AS events,
              SUM(sessions) AS sessions, SUM(CASE WHEN events > 0 THEN 1 ELSE 0 END) AS active_days
         FROM user_day_facets WHERE facet = ? AND day >= ? AND day <= ?${only.sql} GROUP BY user_id`, [facet, d.from, d.to, ...only.params]);
  return rows.map((r) => ({
    user_id: num(r.user_id), tokens: num(r.tokens), cost_usd: num(r.cost_usd), unpriced_tokens: num(r.unpriced_tokens),
    events: num(r.events), sessions: num(r.sessions), active_days: num(r.active_days),
  }));
}

/** Active (person, day, facet) rows of facets with a prefix ('tool:'), for adoption per tool. */
export async function activeFacetDays(q: Sql, prefix: string, d: Days): Promise<{ user_id: number; day: string; facet: Facet }[]> {
  return (await q.all<{ user_id: number; day: string; facet: Facet }>(
    `SELECT user_id, day, facet FROM user_day_facets WHERE facet LIKE ? AND day >= ? AND day <= ? AND events > 0`,
    [`${prefix}%`, d.from ?? '0000-00-00', d.to])).map((r) => ({ ...r, user_id: num(r.user_id) }));
}

/** Distinct days with rollups per person over a filter (filtered active days). */
export async function activeDaysBy(q: Sql, f: RollupFilter): Promise<Map<number, number>> {
  const w = rollupWhere(f);
  const rows = await q.all<{ user_id: number; n: number }>(`SELECT r.user_id, COUNT(DISTINCT r.day) AS n FROM daily_rollups r WHERE ${w.sql} AND r.events > 0 GROUP BY r.user_id`, w.params);
  return new Map(rows.map((r) => [num(r.user_id), num(r.n)]));
}

/** Distinct models per person in a range. */
export async function modelCounts(q: Sql, f: RollupFilter): Promise<Map<number, number>> {
  const w = rollupWhere(f);
  const rows = await q.all<{ user_id: number; n: number }>(`SELECT r.user_id, COUNT(DISTINCT r.model) AS n FROM daily_rollups r WHERE ${w.sql} GROUP BY r.user_id`, w.params);
  return new Map(rows.map((r) => [num(r.user_id), num(r.n)]));
}

/** Distinct skills per person in a range. */
export async function skillCounts(q: Sql, d: Days): Promise<Map<number, number>> {
  const w = rollupWhere(d);
  const rows = await q.all<{ user_id: number; n: number }>(`SELECT r.user_id, COUNT(DISTINCT r.name) AS n FROM skills r WHERE ${w.sql} GROUP BY r.user_id`, w.params);
  return new Map(rows.map((r) => [num(r.user_id), num(r.n)]));
}

export interface SessionCount { user_id: number; source: string; provider: string; n: number }

/** Sessions started in [start, end) per person, source and provider. */
export async function sessionCounts(q: Sql, start: number, end: number): Promise<SessionCount[]> {
  return (await q.all<Record<string, unknown>>(
    'SELECT user_id, source, provider, COUNT(*) AS n FROM sessions WHERE first_ts >= ? AND first_ts < ? GROUP BY user_id, source, provider', [start, end]))
    .map((r) => ({ user_id: num(r.user_id), source: String(r.source), provider: String(r.provider), n: num(r.n) }));
}

export interface DayRow {
  day: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  tokens: number;
  events: number;
  sessions: number;
  cost_usd: number;
  unpriced_tokens: number;
  replaced_tokens: number;
}

/** One person's read-model days up to `to`, oldest first. */
export async function daysOf(q: Sql, userId: number, to: string): Promise<DayRow[]> {
  return (await q.all<Record<string, unknown>>(
    `SELECT day, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events, sessions, cost_usd, unpriced_tokens, replaced_tokens
       FROM user_days WHERE user_id = ? AND day <= ? ORDER BY day`, [userId, to])).map((r) => {
    const s = toSums({ ...r, user_id: userId });
    return { day: String(r.day), input_tokens: s.input_tokens, output_tokens: s.output_tokens, cache_read_tokens: s.cache_read_tokens, cache_write_tokens: s.cache_write_tokens,
      tokens: s.tokens, events: s.events, sessions: s.sessions, cost_usd: s.cost_usd, unpriced_tokens: s.unpriced_tokens, replaced_tokens: s.replaced_tokens };
  });
}

/** Tokens per (person, day) in a range, for sparklines. */
export async function dailyTokens(q: Sql, userIds: number[], from: string, to: string): Promise<{ user_id: number; day: string; tokens: number }[]> {
  if (userIds.length === 0) return [];
  return (await q.all<Record<string, unknown>>(
    `SELECT user_id, day, input_tokens + output_tokens + cache_read_tokens + cache_write_tokens AS tokens
       FROM user_days WHERE user_id IN (${marks(userIds.length)}) AND day >= ? AND day <= ?`, [...userIds, from, to]))
    .map((r) => ({ user_id: num(r.user_id), day: String(r.day), tokens: num(r.tokens) }));
}

/** (person, day) pairs with at least one message in a range (weekly actives). */
export async function activePersonDays(q: Sql, from: string, to: string): Promise<{ user_id: number; day: string }[]> {
  return (await q.all<{ user_id: number; day: string }>('SELECT user_id, day FROM user_days WHERE day >= ? AND day <= ? AND events > 0', [from, to]))
    .map((r) => ({ user_id: num(r.user_id), day: r.day }));
}

/** Everyone's first active day and all-time messages. */
export async function firstDays(q: Sql): Promise<{ user_id: number; first_day: string | null; last_day: string | null; events: number }[]> {
  return (await q.all<Record<string, unknown>>('SELECT user_id, first_day, last_day, events FROM user_totals'))
    .map((r) => ({ user_id: num(r.user_id), first_day: (r.first_day as string | null) ?? null, last_day: (r.last_day as string | null) ?? null, events: num(r.events) }));
}

export interface SessionRow { first_ts: number; last_ts: number; events: number; tokens: number; model: string; source: string }

export async function recentSessions(q: Sql, userId: number, start: number, end: number, limit: number): Promise<SessionRow[]> {
  return (await q.all<Record<string, unknown>>(
    `SELECT first_ts, last_ts, events, tokens, model, source FROM sessions WHERE user_id = ? AND first_ts >= ? AND first_ts < ?
      ORDER BY first_ts DESC LIMIT ?`, [userId, start, end, limit]))
    .map((r) => ({ first_ts: num(r.first_ts), last_ts: num(r.last_ts), events: num(r.events), tokens: num(r.tokens), model: String(r.model), source: String(r.source) }));
}

export async function sessionCountOf(q: Sql, userId: number): Promise<number> {
  return num((await q.all<{ n: number }>('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?', [userId]))[0]?.n);
}

export async function skillsOf(q: Sql, userId: number, d: Days, limit: number): Promise<{ name: string; count: number }[]> {
  const params: unknown[] = d.from === null ? [userId, d.to, limit] : [userId, d.from, d.to, limit];
  return (await q.all<{ name: string; count: number }>(
    `SELECT name, SUM(count) AS count FROM skills WHERE user_id = ? ${d.from === null ? '' : 'AND day >= ?'} AND day <= ?
      GROUP BY name ORDER BY SUM(count) DESC, name LIMIT ?`, params)).map((r) => ({ name: r.name, count: num(r.count) }));
}

/** A person's raw rollup sums per (provider, model, is_local, tier), all time. */
export async function groupsOfUser(q: Sql, userId: number): Promise<GroupRow[]> {
  return (await q.all<Record<string, unknown>>(
    `SELECT r.user_id, r.provider, r.model, '' AS source, r.is_local, r.tier, ${SUMS}
       FROM daily_rollups r WHERE r.user_id = ? GROUP BY r.user_id, r.provider, r.model, r.is_local, r.tier`, [userId])).map(toGroup);
}

export async function activeDaysOfUser(q: Sql, userId: number): Promise<number> {
  // A day counts with at least one message (a vendor's tokens-only rollup row is not activity).
  return num((await q.all<{ n: number }>('SELECT COUNT(DISTINCT day) AS n FROM daily_rollups WHERE user_id = ? AND events > 0', [userId]))[0]?.n);
}

/** A person's all-time read-model row (the reconciled totals), or null. */
export async function totalsOf(q: Sql, userId: number): Promise<PersonSums | null> {
  const r = (await q.all<Record<string, unknown>>(`SELECT user_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens,
      replaced_tokens, events, sessions, active_days, last_day FROM user_totals WHERE user_id = ?`, [userId]))[0];
  return r ? toSums(r) : null;
}

/**
 * The values seen for a kind of facet ('provider:' → provider names), sorted. The index on
 * facet is walked value to value (each step the next larger facet), so the cost follows
 * the number of values, not of people × values as a DISTINCT over the rows does.
 */
export async function facetValues(q: Sql, prefix: string): Promise<string[]> {
  // Facets of a kind sort between "prefix" and "prefix" with its last character's successor.
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return (await q.all<{ facet: string }>(
    `WITH RECURSIVE v(facet) AS (
       SELECT MIN(facet) FROM user_facet_totals WHERE facet >= ? AND facet < ?
       UNION ALL
       SELECT (SELECT MIN(t.facet) FROM user_facet_totals t WHERE t.facet > v.facet AND t.facet < ?) FROM v WHERE v.facet IS NOT NULL)
     SELECT facet FROM v WHERE facet IS NOT NULL`, [prefix, end, end]))
    .map((r) => r.facet.slice(prefix.length)).sort();
}

export interface ModelUsage { provider: string; model: string; tokens: number; events: number; first_seen: string; last_seen: string }

/** Cloud models with their token totals and first/last day. */
export async function cloudModels(q: Sql): Promise<ModelUsage[]> {
  return (await q.all<Record<string, unknown>>(
    `SELECT provider, model, SUM(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens) AS tokens,
            SUM(events) AS events, MIN(day) AS first_seen, MAX(day) AS last_seen
       FROM daily_rollups WHERE is_local = ? GROUP BY provider, model ORDER BY tokens DESC, model`, [false]))
    .map((r) => ({ provider: String(r.provider), model: String(r.model), tokens: num(r.tokens), events: num(r.events), first_seen: String(r.first_seen), last_seen: String(r.last_seen) }));
}

/** Per-person sums over a range for the CSV (active days counted on the read model). */
export async function csvSums(q: Sql, d: Days): Promise<PersonSums[]> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT user_id, COUNT(*) AS active_days, SUM(sessions) AS sessions, SUM(events) AS events,
            SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(cache_read_tokens) AS cache_read_tokens,
            SUM(cache_write_tokens) AS cache_write_tokens, SUM(cost_usd) AS cost_usd, SUM(unpriced_tokens) AS unpriced_tokens,
            SUM(replaced_tokens) AS replaced_tokens, MAX(day) AS last_day
       FROM user_days WHERE ${d.from === null ? 'day <= ?' : 'day >= ? AND day <= ?'} AND events > 0 GROUP BY user_id`,
    d.from === null ? [d.to] : [d.from, d.to]);
  return rows.map(toSums);
}

/** A person's vendor-billed cents per source over a range (vendor_charges). */
export async function chargesOf(q: Sql, userId: number, d: Days): Promise<{ source: string; cents: number; events: number }[]> {
  return (await q.all<Record<string, unknown>>(
    `SELECT source, SUM(cents) AS cents, SUM(events) AS events FROM vendor_charges WHERE user_id = ? AND day >= ? AND day <= ? GROUP BY source ORDER BY source`,
    [userId, d.from ?? '0000-00-00', d.to])).map((r) => ({ source: String(r.source), cents: num(r.cents), events: num(r.events) }));
}
