// Per-row details of the leaderboard page shown: a 30-day sparkline, the top model, the
// trust label and the models without a price. Read only for the (at most 100) people on
// the page, through the indexes that start with user_id.
import type { Db } from '../db/connect.ts';
import type { PriceTable } from '../pricing/table.ts';
import { priceTable } from '../ledger/prices.ts';
import { dailyTokens, rollupGroups, type Group, type UsageFilter } from '../ledger/read.ts';
import { tokensOf, trustOf, type Trust } from '../ledger/rules.ts';
import { addDays, type DayCalendar } from './days.ts';
import { leaderboard, type Leaderboard, type LeaderboardQuery } from './leaderboard.ts';
import { knownProviders, knownTools } from './providers.ts';
import type { DayRange } from './window.ts';

/** The trust level of all of a row's tokens, or `mixed` when they come from more than one. */
export type TrustLabel = Trust | 'mixed';

export interface RowDetails {
  /** Tokens per day, oldest first, ending `today`. */
  spark: number[];
  top_model: string | null;
  trust: TrustLabel | null;
  /** Share of the tokens that was measured (provider or device trust), 0..1. */
  measured_share: number;
  unpriced_models: string[];
}

export const SPARK_DAYS = 30;

export function trustLabel(byTrust: Map<Trust, number>): TrustLabel | null {
  const present = [...byTrust].filter(([, t]) => t > 0);
  if (present.length === 0) return null;
  return present.length === 1 ? present[0][0] : 'mixed';
}

/** Tokens per day over `days` days ending `to`, from user_days rows (missing days are 0). */
export function dailySeries(rows: { day: string; tokens: number }[], to: string, days: number): number[] {
  const from = addDays(to, -(days - 1));
  const byDay = new Map(rows.map((r) => [r.day, Number(r.tokens)]));
  const out: number[] = [];
  for (let d = from, i = 0; i < days; i++, d = addDays(d, 1)) out.push(byDay.get(d) ?? 0);
  return out;
}

type Mix = Omit<RowDetails, 'spark'>;

// The mix of a row (top model, trust, unpriced models) reads all of that person's rollups
// in the window: for "all" that is every day they ever used AI. It only changes when their
// figures do, so it is kept per person, window and filter, tagged with a signature of the
// figures (tokens, messages, cost, unpriced tokens; a price change moves the last two).
const MIX_CACHE_MAX = 20_000;
const mixCache = new WeakMap<Db, Map<string, { sig: string; mix: Mix }>>();

export function figuresSignature(f: { tokens: number; messages: number; cost_usd: number; unpriced_tokens: number }): string {
  return `${f.tokens}|${f.messages}|${f.cost_usd}|${f.unpriced_tokens}`;
}

function mixOf(groups: Group[], prices: PriceTable): Mix {
  const byModel = new Map<string, number>();
  const byTrust = new Map<Trust, number>();
  let measured = 0;
  let total = 0;
  const unpriced = new Set<string>();
  for (const g of groups) {
    const t = tokensOf(g);
    byModel.set(g.model, (byModel.get(g.model) ?? 0) + t);
    total += t;
    const trust = trustOf(g.source);
    byTrust.set(trust, (byTrust.get(trust) ?? 0) + t);
    if (trust !== 'self-reported') measured += t;
    if (!g.is_local && prices.lookup(g.model) === null && t > 0) unpriced.add(g.model);
  }
  const top = [...byModel.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return {
    top_model: top && top[1] > 0 ? top[0] : null,
    trust: trustLabel(byTrust),
    measured_share: total > 0 ? measured / total : 0,
    unpriced_models: [...unpriced].sort(),
  };
}

/**
 * Details for the rows of one page. `signatures` (person id → figuresSignature of their row)
 * lets unchanged rows reuse their mix; without it everything is read fresh.
 */
export async function rowDetails(db: Db, prices: PriceTable, userIds: number[], range: DayRange, filter: UsageFilter, today: string, signatures?: Map<number, string>): Promise<Map<number, RowDetails>> {
  const out = new Map<number, RowDetails>();
  if (userIds.length === 0) return out;
  const sparkRows = await dailyTokens(db, userIds, addDays(today, -(SPARK_DAYS - 1)), today);

  let cache = mixCache.get(db);
  if (!cache) mixCache.set(db, (cache = new Map()));
  const keyOf = (id: number) => `${id}|${range.from}|${range.to}|${filter.provider ?? ''}|${filter.source ?? ''}|${filter.tool ?? ''}`;
  const mixes = new Map<number, Mix>();
  for (const id of userIds) {
    const hit = cache.get(keyOf(id));
    const sig = signatures?.get(id);
    if (hit && sig !== undefined && hit.sig === sig) mixes.set(id, hit.mix);
  }
  const missing = userIds.filter((id) => !mixes.has(id));
  if (missing.length) {
    const groups = await rollupGroups(db, { userIds: missing, from: range.from, to: range.to, ...filter });
    for (const id of missing) {
      const mix = mixOf(groups.filter((g) => g.user_id === id), prices);
      mixes.set(id, mix);
      const sig = signatures?.get(id);
      if (sig === undefined) continue;
      if (cache.size >= MIX_CACHE_MAX) cache.delete(cache.keys().next().value as string);
      cache.set(keyOf(id), { sig, mix });
    }
  }
  for (const id of userIds) {
    out.set(id, { spark: dailySeries(sparkRows.filter((r) => r.user_id === id), today, SPARK_DAYS), ...mixes.get(id)! });
  }
  return out;
}

export interface LeaderboardView {
  board: Leaderboard;
  details: Map<number, RowDetails>;
  /** Provider and tool choices for the filters. */
  providers: string[];
  tools: string[];
}

/** Everything a leaderboard page or API answer shows: the ranking, then details for its page of rows. */
export async function leaderboardView(db: Db, calendar: DayCalendar, lq: LeaderboardQuery): Promise<LeaderboardView> {
  const prices = await priceTable(db);
  const [board, providers, tools] = await Promise.all([leaderboard(db, prices, calendar, lq), knownProviders(db), knownTools(db)]);
  const signatures = new Map(board.rows.map((r) => [r.person.id, figuresSignature(r)]));
  const details = await rowDetails(db, prices, board.rows.map((r) => r.person.id), lq.range, { provider: lq.provider, source: lq.source, tool: lq.tool }, lq.range.to, signatures);
  return { board, details, providers, tools };
}
