// Re-pricing: cost follows the current price table. Pages read cost from the read model
// (user_days, user_totals), so after a price change every user-day that used a model whose
// price changed is recomputed from the rollups, in the same transaction as the change.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../db/connect.ts';
import type { Price, PriceTable } from '../pricing/table.ts';
import { recomputeDays, type Sql } from './reconcile.ts';
import { PROVIDER_ANCHORED } from './trust.ts';

interface ModelKey { model: string; is_local: number | boolean; tier: number }

type Rates = [priced: number, pIn: number, pOut: number, pCacheRead: number, pCacheWrite: number];

function ratesOf(price: Price | null, local: boolean, tier: number): Rates {
  if (local) return [1, 0, 0, 0, 0];
  const t = price && tier > 0 && price.tiers[tier - 1] ? price.tiers[tier - 1] : price;
  if (!t) return [0, 0, 0, 0, 0];
  return [1, t.input, t.output, t.cache_read ?? t.input, t.cache_write ?? t.input];
}

/**
 * Recomputes cost_usd and unpriced_tokens of the user-days whose models are priced
 * differently by `after` than by `before` (all user-days when `before` is null), then
 * those users' totals. Returns how many user-days were recomputed.
 */
export async function reprice(db: Db, before: PriceTable | null, after: PriceTable, transaction: Transaction): Promise<number> {
  const q = (sql: string, replacements: unknown[] = []) => db.sequelize.query(sql, { transaction, replacements });
  const keys = await db.sequelize.query<ModelKey>('SELECT DISTINCT model, is_local, tier FROM daily_rollups', { transaction, type: QueryTypes.SELECT });
  const changed = new Set<string>();
  const rows: unknown[] = [];
  for (const k of keys) {
    const local = Boolean(Number(k.is_local));
    const now = ratesOf(local ? null : after.lookup(k.model), local, Number(k.tier));
    if (before) {
      const was = ratesOf(local ? null : before.lookup(k.model), local, Number(k.tier));
      if (was.some((v, i) => v !== now[i])) changed.add(k.model);
    }
    rows.push(k.model, local ? 1 : 0, Number(k.tier), ...now);
  }
  if (before && changed.size === 0) return 0;

  await q('DROP TABLE IF EXISTS temp.price_map');
  await q(`CREATE TEMP TABLE price_map (model TEXT, is_local INTEGER, tier INTEGER, priced INTEGER,
           p_in REAL, p_out REAL, p_cr REAL, p_cw REAL, PRIMARY KEY (model, is_local, tier))`);
  for (let i = 0; i < rows.length; i += 8 * 400) {
    const chunk = rows.slice(i, i + 8 * 400);
    await q(`INSERT INTO temp.price_map VALUES ${Array(chunk.length / 8).fill('(?,?,?,?,?,?,?,?)').join(',')}`, chunk);
  }
  await q('DROP TABLE IF EXISTS temp.reprice_days');
  await q('CREATE TEMP TABLE reprice_days (user_id INTEGER, day TEXT, PRIMARY KEY (user_id, day))');
  if (before) {
    const models = [...changed];
    for (let i = 0; i < models.length; i += 500) {
      const part = models.slice(i, i + 500);
      await q(`INSERT OR IGNORE INTO temp.reprice_days SELECT DISTINCT user_id, day FROM daily_rollups WHERE model IN (${part.map(() => '?').join(',')})`, part);
    }
  } else {
    await q('INSERT INTO temp.reprice_days SELECT user_id, day FROM user_days');
  }

  const tokens = 'r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens';
  const joinRollups = `FROM daily_rollups r JOIN temp.price_map m ON m.model = r.model AND m.is_local = r.is_local AND m.tier = r.tier
                       WHERE r.user_id = user_days.user_id AND r.day = user_days.day`;
  await q(`UPDATE user_days SET
             cost_usd = COALESCE((SELECT SUM(r.input_tokens * m.p_in + r.output_tokens * m.p_out + r.cache_read_tokens * m.p_cr + r.cache_write_tokens * m.p_cw) / 1000000.0
                                  ${joinRollups} AND m.priced = 1), 0),
             unpriced_tokens = COALESCE((SELECT SUM(${tokens}) ${joinRollups} AND m.priced = 0), 0)
           WHERE (user_id, day) IN (SELECT user_id, day FROM temp.reprice_days)`);
  await q(`UPDATE user_totals SET
             cost_usd = COALESCE((SELECT SUM(cost_usd) FROM user_days d WHERE d.user_id = user_totals.user_id), 0),
             unpriced_tokens = COALESCE((SELECT SUM(unpriced_tokens) FROM user_days d WHERE d.user_id = user_totals.user_id), 0)
           WHERE user_id IN (SELECT DISTINCT user_id FROM temp.reprice_days)`);
  // Days where provider-anchored numbers win are rewritten by the reconciliation rule.
  const sql: Sql = {
    all: <T>(text: string, params: unknown[] = []) => db.sequelize.query(text, { transaction, replacements: params, type: QueryTypes.SELECT }) as Promise<T[]>,
    run: (text: string, params: unknown[] = []) => db.sequelize.query(text, { transaction, replacements: params }),
  };
  const anchored = await sql.all<{ user_id: number; day: string }>(
    `SELECT DISTINCT r.user_id, r.day FROM daily_rollups r JOIN temp.reprice_days d ON d.user_id = r.user_id AND d.day = r.day
      WHERE r.source IN (${PROVIDER_ANCHORED.map(() => '?').join(',')})`, [...PROVIDER_ANCHORED]);
  const byUser = new Map<number, string[]>();
  for (const a of anchored) byUser.set(Number(a.user_id), [...(byUser.get(Number(a.user_id)) ?? []), a.day]);
  for (const [userId, days] of byUser) await recomputeDays(sql, userId, days, after);
  const [{ n }] = await db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM temp.reprice_days', { transaction, type: QueryTypes.SELECT });
  await q('DROP TABLE temp.price_map');
  await q('DROP TABLE temp.reprice_days');
  return Number(n);
}
