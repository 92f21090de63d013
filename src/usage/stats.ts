// A user's all-time totals: the shape `tokenboard stats LOGIN --json` prints (DESIGN).
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import type { UserRecord } from '../db/models.ts';
import { priceTable } from '../pricing/store.ts';
import { totalsOf, type RollupGroup, type Totals } from './totals.ts';

/** The exact shape of `tokenboard stats LOGIN --json` (DESIGN "Server commands"). */
export interface UserStats extends Totals {
  login: string;
  sessions: number;
  active_days: number;
}

export async function userGroups(db: Db, userId: number): Promise<RollupGroup[]> {
  const rows = await db.sequelize.query<RollupGroup>(
    `SELECT provider, model, is_local, tier,
            SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
            SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
            SUM(events) AS events
       FROM daily_rollups WHERE user_id = ? GROUP BY provider, model, is_local, tier`,
    { replacements: [userId], type: QueryTypes.SELECT });
  return rows.map((r) => ({ ...r, is_local: Boolean(r.is_local) }));
}

export async function userStats(db: Db, user: UserRecord): Promise<UserStats> {
  const [groups, prices, [counts]] = await Promise.all([
    userGroups(db, user.id),
    priceTable(db),
    db.sequelize.query<{ sessions: number; active_days: number }>(
      `SELECT (SELECT COUNT(*) FROM sessions WHERE user_id = ?) AS sessions,
              (SELECT COUNT(DISTINCT day) FROM daily_rollups WHERE user_id = ?) AS active_days`,
      { replacements: [user.id, user.id], type: QueryTypes.SELECT }),
  ]);
  const t = totalsOf(groups, prices);
  return {
    login: user.login,
    input_tokens: t.input_tokens,
    output_tokens: t.output_tokens,
    cache_read_tokens: t.cache_read_tokens,
    cache_write_tokens: t.cache_write_tokens,
    total_tokens: t.total_tokens,
    events: t.events,
    sessions: Number(counts.sessions),
    active_days: Number(counts.active_days),
    cost_usd: t.cost_usd,
    unknown_models: t.unknown_models,
    models: t.models,
  };
}
