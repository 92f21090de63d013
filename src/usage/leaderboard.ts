// The leaderboard: everyone's figures over a window, ranked by one metric. The figures come
// from the ledger's read model (one row per person and day, or per person for "all"; a
// provider, tool or trust filter reads that facet's rows): a few thousand rows however many
// events are stored. Two filters at once, and ranking by models or skills, fold the rollups
// (cached until the data changes); per-row details are read only for the rows of the page
// shown (leaderboard-details.ts).
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import { roundUsd, type PriceTable } from '../pricing/table.ts';
import { figuresByPerson, modelCounts, skillCounts, versions, type SourceFilter, type Versions } from '../ledger/read.ts';
import { addDays, type DayCalendar } from './days.ts';
import { metricValue, rankBy, type Figures, type Metric } from './ranking.ts';
import type { DayRange } from './window.ts';
import { dayStartMs } from './zone.ts';

export interface LeaderboardQuery {
  range: DayRange;
  metric: Metric;
  team?: string | null;
  provider?: string | null;
  /** A trust level (or `measured`: provider and device). */
  source?: SourceFilter | null;
  /** One tool (the source of the usage, e.g. claude-code). */
  tool?: string | null;
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

// Everyone listed, kept until the people version moves (every change to users and teams
// bumps it): reading and decoding a thousand users was a sixth of a cold leaderboard.
const peopleCache = new WeakMap<Db, { version: number; people: readonly Person[] }>();

/** Active people who have not hidden themselves from the leaderboard (callers get their own copies); `version`: the people version read before. */
async function listedPeople(db: Db, version: number): Promise<Person[]> {
  let hit = peopleCache.get(db);
  if (!hit || hit.version !== version) {
    const people = (await users.listActive(db.sql)).filter((u) => !u.hidden)
      .map((u) => ({ id: u.id, login: u.login, name: u.name, avatar_url: u.avatar_url, teams: u.teams }));
    peopleCache.set(db, (hit = { version, people }));
  }
  return hit.people.map((p) => ({ ...p, teams: [...p.teams] }));
}

/** Everyone's figures for the window, filters and metric (before team, search and paging). */
async function computeFigures(db: Db, prices: PriceTable, calendar: DayCalendar, lq: LeaderboardQuery, v: Versions): Promise<Map<number, Figures>> {
  const { range, metric } = lq;
  const filter = { provider: lq.provider, source: lq.source, tool: lq.tool };
  const start = range.from === null ? 0 : dayStartMs(range.from, calendar);
  const figures = await figuresByPerson(db, range, filter, prices, { start, end: dayStartMs(addDays(range.to, 1), calendar) },
    { today: calendar.dayOf(Date.now()), version: v.settled });
  if (metric === 'models') {
    const counts = await modelCounts(db, range, filter);
    for (const [id, f] of figures) f.models = counts.get(id) ?? 0;
  }
  if (metric === 'skills') {
    const counts = await skillCounts(db, range);
    for (const [id, f] of figures) f.skills = counts.get(id) ?? 0;
  }
  return figures;
}

// Views that fold the rollups (two filters at once, ranking by models or skills) read every
// rollup row of the window. The live table asks again every 3 s for every viewer, so those
// results are kept until the data changes: the usage, prices and people versions (bumped in
// the same transaction as every change, on any replica) say when. The read-model views cost
// a few milliseconds: never cached.
const FIGURES_CACHE_MAX = 64;
const figuresCache = new WeakMap<Db, Map<string, { version: string; figures: Map<number, Figures> }>>();

async function figuresFor(db: Db, prices: PriceTable, calendar: DayCalendar, lq: LeaderboardQuery, v: Versions): Promise<Map<number, Figures>> {
  const filters = [lq.provider, lq.source, lq.tool].filter(Boolean).length;
  const expensive = filters > 1 || lq.source === 'measured' || lq.metric === 'models' || lq.metric === 'skills';
  if (!expensive) return computeFigures(db, prices, calendar, lq, v);
  let cache = figuresCache.get(db);
  if (!cache) figuresCache.set(db, (cache = new Map()));
  const key = JSON.stringify([lq.range.from, lq.range.to, lq.metric, lq.provider ?? null, lq.source ?? null, lq.tool ?? null]);
  const version = `${v.usage}|${v.prices}|${v.people}`;
  const hit = cache.get(key);
  // Callers change the figures' objects (rounding); hand out copies.
  const copy = (m: Map<number, Figures>) => new Map([...m].map(([id, f]) => [id, { ...f }]));
  if (hit && hit.version === version) return copy(hit.figures);
  const figures = await computeFigures(db, prices, calendar, lq, v);
  if (cache.size >= FIGURES_CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, { version, figures: copy(figures) });
  return figures;
}

export async function leaderboard(db: Db, prices: PriceTable, calendar: DayCalendar, lq: LeaderboardQuery): Promise<Leaderboard> {
  const { range, metric } = lq;
  // One read of the data versions, before any data: every cache below checks against it.
  const v = await versions(db);
  const people = await listedPeople(db, v.people);
  const teams = [...new Set(people.flatMap((p) => p.teams))].sort();
  const inTeam = lq.team ? people.filter((p) => p.teams.includes(lq.team!)) : people;

  const figures = await figuresFor(db, prices, calendar, lq, v);
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
