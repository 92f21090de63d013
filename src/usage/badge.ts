// The few figures a badge or card shows: a light profile (no heatmap, sessions or skills).
import type { Db } from '../db/connect.ts';
import { daysOf, rollupGroups } from '../ledger/read.ts';
import { tokensOf } from '../ledger/rules.ts';
import { addDays } from './days.ts';
import { dailySeries, SPARK_DAYS } from './leaderboard-details.ts';
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
  const rows = await daysOf(db, userId, range.to);
  const inRange = rows.filter((r) => range.from === null || r.day >= range.from);
  const byModel = new Map<string, number>();
  for (const g of await rollupGroups(db, { userIds: [userId], from: range.from, to: range.to })) {
    byModel.set(g.model, (byModel.get(g.model) ?? 0) + tokensOf(g));
  }
  const sparkFrom = addDays(range.to, -(SPARK_DAYS - 1));
  return {
    tokens: inRange.reduce((n, r) => n + r.tokens, 0),
    messages: inRange.reduce((n, r) => n + r.events, 0),
    active_days: inRange.filter((r) => r.events > 0).length,
    current_streak: streaks(rows.filter((r) => r.events > 0).map((r) => r.day), range.to).current,
    top_models: [...byModel.entries()].filter(([, t]) => t > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map(([m]) => m),
    spark: dailySeries(rows.filter((r) => r.day >= sparkFrom), range.to, SPARK_DAYS),
  };
}
