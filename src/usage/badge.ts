// The few figures a badge or card shows: a light profile (no heatmap, sessions or skills).
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import { addDays } from './days.ts';
import { dailySeries, SPARK_DAYS } from './leaderboard-details.ts';
import { groupTokens, rollupGroups } from './rollup-groups.ts';
import { streaks } from './streaks.ts';
import type { DayRange } from './window.ts';

export interface BadgeFigures {
  tokens: number;
  messages: number;
  active_days: number;
  current_streak: number;
  top_models: string[];
  spark: number[];
}

export async function badgeFigures(db: Db, userId: number, range: DayRange): Promise<BadgeFigures> {
  const rows = await db.sequelize.query<{ day: string; tokens: number; events: number }>(
    `SELECT day, input_tokens + output_tokens + cache_read_tokens + cache_write_tokens AS tokens, events
       FROM user_days WHERE user_id = ? AND day <= ?`, { replacements: [userId, range.to], type: QueryTypes.SELECT });
  const inRange = rows.filter((r) => range.from === null || r.day >= range.from);
  const byModel = new Map<string, number>();
  for (const g of await rollupGroups(db, { userIds: [userId], from: range.from, to: range.to })) {
    byModel.set(g.model, (byModel.get(g.model) ?? 0) + groupTokens(g));
  }
  const sparkFrom = addDays(range.to, -(SPARK_DAYS - 1));
  return {
    tokens: inRange.reduce((n, r) => n + Number(r.tokens), 0),
    messages: inRange.reduce((n, r) => n + Number(r.events), 0),
    active_days: inRange.filter((r) => Number(r.events) > 0).length,
    current_streak: streaks(rows.filter((r) => Number(r.events) > 0).map((r) => r.day), range.to).current,
    top_models: [...byModel.entries()].filter(([, t]) => t > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map(([m]) => m),
    spark: dailySeries(rows.filter((r) => r.day >= sparkFrom).map((r) => ({ day: r.day, tokens: Number(r.tokens) })), range.to, SPARK_DAYS),
  };
}
