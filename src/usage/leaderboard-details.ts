// Per-row details of the leaderboard page shown: a 30-day sparkline, the top model, the
// trust label and the models without a price. Read only for the (at most 100) people on
// the page, through the indexes that start with user_id.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import type { PriceTable } from '../pricing/table.ts';
import { addDays } from './days.ts';
import { groupTokens, rollupGroups, type SourceFilter } from './rollup-groups.ts';
import { trustOf } from './trust.ts';
import type { DayRange } from './window.ts';

export type TrustLabel = 'measured' | 'self-reported' | 'mixed';

export interface RowDetails {
  /** Tokens per day, oldest first, ending `today`. */
  spark: number[];
  top_model: string | null;
  trust: TrustLabel | null;
  /** Share of the tokens that was measured, 0..1. */
  measured_share: number;
  unpriced_models: string[];
}

export const SPARK_DAYS = 30;

export function trustLabel(measured: number, total: number): TrustLabel | null {
  if (total <= 0) return null;
  if (measured >= total) return 'measured';
  if (measured <= 0) return 'self-reported';
  return 'mixed';
}

/** Tokens per day over `days` days ending `to`, from user_days rows (missing days are 0). */
export function dailySeries(rows: { day: string; tokens: number }[], to: string, days: number): number[] {
  const from = addDays(to, -(days - 1));
  const byDay = new Map(rows.map((r) => [r.day, Number(r.tokens)]));
  const out: number[] = [];
  for (let d = from, i = 0; i < days; i++, d = addDays(d, 1)) out.push(byDay.get(d) ?? 0);
  return out;
}

export async function rowDetails(db: Db, prices: PriceTable, userIds: number[], range: DayRange, filter: { provider?: string | null; source?: SourceFilter | null }, today: string): Promise<Map<number, RowDetails>> {
  const out = new Map<number, RowDetails>();
  if (userIds.length === 0) return out;
  const marks = userIds.map(() => '?').join(',');
  const sparkFrom = addDays(today, -(SPARK_DAYS - 1));
  const sparkRows = await db.sequelize.query<{ user_id: number; day: string; tokens: number }>(
    `SELECT user_id, day, input_tokens + output_tokens + cache_read_tokens + cache_write_tokens AS tokens
       FROM user_days WHERE user_id IN (${marks}) AND day >= ? AND day <= ?`,
    { replacements: [...userIds, sparkFrom, today], type: QueryTypes.SELECT });
  const groups = await rollupGroups(db, { userIds, from: range.from, to: range.to, provider: filter.provider, source: filter.source });
  for (const id of userIds) {
    const mine = groups.filter((g) => g.user_id === id);
    const byModel = new Map<string, number>();
    let measured = 0;
    let total = 0;
    const unpriced = new Set<string>();
    for (const g of mine) {
      const t = groupTokens(g);
      byModel.set(g.model, (byModel.get(g.model) ?? 0) + t);
      total += t;
      if (trustOf(g.source) === 'measured') measured += t;
      if (!g.is_local && prices.lookup(g.model) === null && t > 0) unpriced.add(g.model);
    }
    const top = [...byModel.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    out.set(id, {
      spark: dailySeries(sparkRows.filter((r) => Number(r.user_id) === id), today, SPARK_DAYS),
      top_model: top && top[1] > 0 ? top[0] : null,
      trust: trustLabel(measured, total),
      measured_share: total > 0 ? measured / total : 0,
      unpriced_models: [...unpriced].sort(),
    });
  }
  return out;
}
