// The leaderboard: everyone's figures over a window, ranked by one metric. The default
// views rank from the read model (user_days for a window, user_totals for "all"): a few
// thousand rows however many events are stored. Provider and source filters, and ranking
// by models or skills, need the rollups (see rollup-groups.ts); per-row details are read
// only for the rows of the page shown (leaderboard-details.ts).
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import { groupCost, roundUsd, type PriceTable } from '../pricing/table.ts';
import { addDays, type DayCalendar } from './days.ts';
import { metricValue, rankBy, type Figures, type Metric } from './ranking.ts';
import { groupTokens, matches, rollupGroups, rollupWhere, type RollupFilter, type SourceFilter } from './rollup-groups.ts';
import type { DayRange } from './window.ts';
import { dayStartMs } from './zone.ts';

export interface LeaderboardQuery {
  range: DayRange;
  metric: Metric;
  team?: string | null;
  provider?: string | null;
  source?: SourceFilter | null;
  /** Part of a login or name; the matching rows keep their rank among everyone. */
  search?: string | null;
  page?: number;
  perPage?: number;
}

export interface Person {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
  teams: string[];
}

export interface Standing extends Figures {
  rank: number;
  /** The ranked metric's value. */
  value: number;
  person: Person;
  /** The cost leaves out models without a price. */
  cost_partial: boolean;
}

export interface Leaderboard {
  range: DayRange;
  metric: Metric;
  /** People ranked (active in the window, after team/provider/source filters). */
  ranked: number;
  /** Of those, matching the search. */
  matched: number;
  page: number;
  pages: number;
  perPage: number;
  rows: Standing[];
  summary: { people: number; tokens: number; cost_usd: number; cost_partial: boolean; messages: number };
  /** Choices for the filters. */
  teams: string[];
}

export const DEFAULT_PER_PAGE = 25;
export const MAX_PER_PAGE = 100;

type Q = <T extends object>(sql: string, params?: unknown[]) => Promise<T[]>;
const query = (db: Db): Q => (sql, params = []) => db.sequelize.query(sql, { replacements: params, type: QueryTypes.SELECT });

export function parseTeams(raw: unknown): string[] {
  try {
    const v = JSON.parse(String(raw ?? '[]'));
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Active people who have not hidden themselves from the leaderboard. */
export async function listedPeople(db: Db): Promise<Person[]> {
  const rows = await query(db)<{ id: number; login: string; name: string | null; avatar_url: string | null; teams: string }>(
    'SELECT id, login, name, avatar_url, teams FROM users WHERE active = ? AND hidden = ?', [true, false]);
  return rows.map((r) => ({ id: Number(r.id), login: r.login, name: r.name, avatar_url: r.avatar_url, teams: parseTeams(r.teams) }));
}

const empty = (): Figures => ({ tokens: 0, cost_usd: 0, unpriced_tokens: 0, messages: 0, sessions: 0, active_days: 0, models: null, skills: null });

/** Figures per user from the read model (no provider/source filter). */
async function readModelFigures(q: Q, range: DayRange): Promise<Map<number, Figures>> {
  const tokens = 'input_tokens + output_tokens + cache_read_tokens + cache_write_tokens';
  type Row = { user_id: number; tokens: number; cost_usd: number; unpriced_tokens: number; events: number; sessions: number; active_days: number };
  const rows = range.from === null
    ? await q<Row>(`SELECT user_id, ${tokens} AS tokens, cost_usd, unpriced_tokens, events, sessions, active_days FROM user_totals`)
    : await q<Row>(`SELECT user_id, SUM(${tokens}) AS tokens, SUM(cost_usd) AS cost_usd, SUM(unpriced_tokens) AS unpriced_tokens,
                           SUM(events) AS events, SUM(sessions) AS sessions, SUM(CASE WHEN events > 0 THEN 1 ELSE 0 END) AS active_days
                      FROM user_days WHERE day >= ? AND day <= ? GROUP BY user_id`, [range.from, range.to]);
  const out = new Map<number, Figures>();
  for (const r of rows) {
    out.set(Number(r.user_id), {
      ...empty(), tokens: Number(r.tokens), cost_usd: Number(r.cost_usd), unpriced_tokens: Number(r.unpriced_tokens),
      messages: Number(r.events), sessions: Number(r.sessions), active_days: Number(r.active_days),
    });
  }
  return out;
}

/** Figures per user from the rollups, for a provider or source filter. */
async function filteredFigures(db: Db, q: Q, prices: PriceTable, calendar: DayCalendar, f: RollupFilter, countModels: boolean): Promise<Map<number, Figures>> {
  const out = new Map<number, Figures>();
  const modelsOf = new Map<number, Map<string, string>>();
  for (const g of await rollupGroups(db, f)) {
    let fig = out.get(g.user_id);
    if (!fig) out.set(g.user_id, (fig = empty()));
    const tokens = groupTokens(g);
    fig.tokens += tokens;
    fig.messages += g.events;
    const cost = groupCost(prices, g);
    if (cost === null) fig.unpriced_tokens += tokens; else fig.cost_usd += cost;
    let models = modelsOf.get(g.user_id);
    if (!models) modelsOf.set(g.user_id, (models = new Map()));
    models.set(g.model, g.provider);
  }
  if (countModels) for (const [id, models] of modelsOf) out.get(id)!.models = models.size;
  const w = rollupWhere(f);
  for (const r of await q<{ user_id: number; n: number }>(`SELECT r.user_id, COUNT(DISTINCT r.day) AS n FROM daily_rollups r WHERE ${w.sql} GROUP BY r.user_id`, w.params)) {
    const fig = out.get(Number(r.user_id));
    if (fig) fig.active_days = Number(r.n);
  }
  // Sessions carry their source and last model, not a provider: a session counts for a
  // provider when its model was used through that provider in the window.
  const start = f.from === null ? 0 : dayStartMs(f.from, calendar);
  const end = dayStartMs(addDays(f.to, 1), calendar);
  const rows = await q<{ user_id: number; source: string; model: string; n: number }>(
    `SELECT user_id, source, model, COUNT(*) AS n FROM sessions WHERE first_ts >= ? AND last_ts >= ? AND first_ts < ? GROUP BY user_id, source, model`,
    [start, start, end]);
  for (const r of rows) {
    const fig = out.get(Number(r.user_id));
    const provider = modelsOf.get(Number(r.user_id))?.get(r.model);
    if (!fig || provider === undefined || !matches(f, { provider, source: r.source })) continue;
    fig.sessions += Number(r.n);
  }
  return out;
}

/** Distinct models per user in the window (read-model path). */
async function modelCounts(q: Q, range: DayRange): Promise<Map<number, number>> {
  const w = rollupWhere({ from: range.from, to: range.to });
  const rows = await q<{ user_id: number; n: number }>(`SELECT r.user_id, COUNT(DISTINCT r.model) AS n FROM daily_rollups r WHERE ${w.sql} GROUP BY r.user_id`, w.params);
  return new Map(rows.map((r) => [Number(r.user_id), Number(r.n)]));
}

/** Distinct skills per user in the window. Skills carry no provider or source, so filters do not apply. */
async function skillCounts(q: Q, range: DayRange): Promise<Map<number, number>> {
  const w = rollupWhere({ from: range.from, to: range.to });
  const rows = await q<{ user_id: number; n: number }>(`SELECT r.user_id, COUNT(DISTINCT r.name) AS n FROM skills r WHERE ${w.sql} GROUP BY r.user_id`, w.params);
  return new Map(rows.map((r) => [Number(r.user_id), Number(r.n)]));
}

/** Everyone's figures for the window, filters and metric (before team, search and paging). */
async function computeFigures(db: Db, q: Q, prices: PriceTable, calendar: DayCalendar, lq: LeaderboardQuery): Promise<Map<number, Figures>> {
  const { range, metric } = lq;
  const filtered = Boolean(lq.provider || lq.source);
  const figures = filtered
    ? await filteredFigures(db, q, prices, calendar, { from: range.from, to: range.to, provider: lq.provider, source: lq.source }, metric === 'models')
    : await readModelFigures(q, range);
  if (metric === 'models' && !filtered) {
    const counts = await modelCounts(q, range);
    for (const [id, f] of figures) f.models = counts.get(id) ?? 0;
  }
  if (metric === 'skills') {
    const counts = await skillCounts(q, range);
    for (const [id, f] of figures) f.skills = counts.get(id) ?? 0;
  }
  return figures;
}

// Filtered views and ranking by models or skills read the rollups of the window: about
// 150 ms at 10 million events. The live table asks again every 3 s for every viewer, so
// those results are kept until the data changes. A one-row aggregate over user_totals and
// users notices every change: ingest and imports add events, re-pricing moves cost and
// unpriced tokens, reconciliation moves tokens, and people edits bump users.updated_at.
// The default views read the read model directly (a few milliseconds): never cached.
const FIGURES_CACHE_MAX = 64;
const figuresCache = new WeakMap<Db, Map<string, { version: string; figures: Map<number, Figures> }>>();

async function dataVersion(q: Q): Promise<string> {
  const [t] = await q<Record<string, unknown>>(`SELECT COUNT(*) AS n, SUM(events) AS e, TOTAL(cost_usd) AS c, SUM(unpriced_tokens) AS u,
      SUM(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens) AS t, MAX(last_day) AS d FROM user_totals`);
  const [u] = await q<Record<string, unknown>>('SELECT COUNT(*) AS n, MAX(updated_at) AS m FROM users');
  return JSON.stringify([t, u]);
}

async function figuresFor(db: Db, q: Q, prices: PriceTable, calendar: DayCalendar, lq: LeaderboardQuery): Promise<Map<number, Figures>> {
  const expensive = Boolean(lq.provider || lq.source) || lq.metric === 'models' || lq.metric === 'skills';
  if (!expensive) return computeFigures(db, q, prices, calendar, lq);
  let cache = figuresCache.get(db);
  if (!cache) figuresCache.set(db, (cache = new Map()));
  const key = JSON.stringify([lq.range.from, lq.range.to, lq.metric, lq.provider ?? null, lq.source ?? null]);
  const version = await dataVersion(q);
  const hit = cache.get(key);
  // Callers change the figures' objects (rounding); hand out copies.
  const copy = (m: Map<number, Figures>) => new Map([...m].map(([id, f]) => [id, { ...f }]));
  if (hit && hit.version === version) return copy(hit.figures);
  const figures = await computeFigures(db, q, prices, calendar, lq);
  if (cache.size >= FIGURES_CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, { version, figures: copy(figures) });
  return figures;
}

export async function leaderboard(db: Db, prices: PriceTable, calendar: DayCalendar, lq: LeaderboardQuery): Promise<Leaderboard> {
  const q = query(db);
  const { range, metric } = lq;
  const people = await listedPeople(db);
  const teams = [...new Set(people.flatMap((p) => p.teams))].sort();
  const inTeam = lq.team ? people.filter((p) => p.teams.includes(lq.team!)) : people;

  const figures = await figuresFor(db, q, prices, calendar, lq);
  // Ranked: people with at least one message in the window (after the filters).
  const active = inTeam.filter((p) => (figures.get(p.id)?.messages ?? 0) > 0);
  const ranked = rankBy(active, (p) => metricValue(figures.get(p.id)!, metric), (p) => p.login.toLowerCase());
  const needle = lq.search?.trim().toLowerCase() ?? '';
  const found = needle ? ranked.filter((r) => r.item.login.toLowerCase().includes(needle) || (r.item.name ?? '').toLowerCase().includes(needle)) : ranked;

  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(lq.perPage ?? DEFAULT_PER_PAGE)));
  const pages = Math.max(1, Math.ceil(found.length / perPage));
  const page = Math.min(pages, Math.max(1, Math.floor(lq.page ?? 1)));
  const rows = found.slice((page - 1) * perPage, page * perPage).map((r): Standing => {
    const f = figures.get(r.item.id)!;
    return { ...f, cost_usd: roundUsd(f.cost_usd), rank: r.rank, value: r.value, person: r.item, cost_partial: f.unpriced_tokens > 0 };
  });

  const all = active.map((p) => figures.get(p.id)!);
  return {
    range, metric, ranked: ranked.length, matched: found.length, page, pages, perPage, rows, teams,
    summary: {
      people: all.length,
      tokens: all.reduce((n, f) => n + f.tokens, 0),
      cost_usd: roundUsd(all.reduce((n, f) => n + f.cost_usd, 0)),
      cost_partial: all.some((f) => f.unpriced_tokens > 0),
      messages: all.reduce((n, f) => n + f.messages, 0),
    },
  };
}
