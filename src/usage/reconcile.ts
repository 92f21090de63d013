// The reconciliation rule. A person's day can hold self-reported events (local logs, the
// proxy, telemetry) and provider-anchored ones (Admin-API imports) for the same provider.
// Per (person, day, provider): when provider-anchored numbers exist they win for tokens and
// cost, and the self-reported tokens of that provider and day are kept aside as
// `replaced_tokens` (shown beside them). Messages stay the self-reported count when there
// is one, because a provider's daily bucket is not one response. Days without
// provider-anchored data count everything.
import { groupCost, type PriceTable, type TokenCounts } from '../pricing/table.ts';
import { PROVIDER_ANCHORED } from './trust.ts';
import type { RollupGroup } from './totals.ts';

/** A rollup row as SQLite returns it (booleans as 0/1). */
export interface RollupRow extends Omit<RollupGroup, 'is_local'> {
  day: string;
  source: string;
  is_local: number | boolean;
}

export interface DayFigures extends TokenCounts {
  events: number;
  cost_usd: number;
  unpriced_tokens: number;
  replaced_tokens: number;
}

const tokensOf = (r: RollupRow) => Number(r.input_tokens) + Number(r.output_tokens) + Number(r.cache_read_tokens) + Number(r.cache_write_tokens);

/** Figures of one person-day from its rollup rows, with the rule applied. */
export function reconcileDay(rows: RollupRow[], prices: PriceTable): DayFigures {
  const out: DayFigures = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, events: 0, cost_usd: 0, unpriced_tokens: 0, replaced_tokens: 0 };
  const providers = new Set(rows.map((r) => r.provider));
  for (const provider of providers) {
    const mine = rows.filter((r) => r.provider === provider);
    const anchored = mine.filter((r) => PROVIDER_ANCHORED.includes(r.source));
    const others = mine.filter((r) => !PROVIDER_ANCHORED.includes(r.source));
    const counted = anchored.length ? anchored : others;
    for (const r of counted) {
      out.input_tokens += Number(r.input_tokens);
      out.output_tokens += Number(r.output_tokens);
      out.cache_read_tokens += Number(r.cache_read_tokens);
      out.cache_write_tokens += Number(r.cache_write_tokens);
      const cost = groupCost(prices, { ...r, input_tokens: Number(r.input_tokens), output_tokens: Number(r.output_tokens), cache_read_tokens: Number(r.cache_read_tokens), cache_write_tokens: Number(r.cache_write_tokens), is_local: Boolean(Number(r.is_local)), tier: Number(r.tier) });
      if (cost === null) out.unpriced_tokens += tokensOf(r);
      else out.cost_usd += cost;
    }
    const selfEvents = others.reduce((n, r) => n + Number(r.events), 0);
    out.events += selfEvents > 0 ? selfEvents : anchored.reduce((n, r) => n + Number(r.events), 0);
    if (anchored.length) out.replaced_tokens += others.reduce((n, r) => n + tokensOf(r), 0);
  }
  return out;
}

/** Minimal SQL access, so the same code runs in the ingest writer and in a Sequelize transaction. */
export interface Sql {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Person-days (of `days`) that have provider-anchored rollups. */
export async function anchoredDays(q: Sql, userId: number, days: string[]): Promise<string[]> {
  if (days.length === 0) return [];
  const rows = await q.all<{ day: string }>(
    `SELECT DISTINCT day FROM daily_rollups WHERE user_id = ? AND day IN (${days.map(() => '?').join(',')})
        AND source IN (${PROVIDER_ANCHORED.map(() => '?').join(',')})`, [userId, ...days, ...PROVIDER_ANCHORED]);
  return rows.map((r) => r.day);
}

/** Rewrites the read model of these person-days from the rollups, then the person's totals. */
export async function recomputeDays(q: Sql, userId: number, days: string[], prices: PriceTable): Promise<void> {
  for (const day of days) {
    const rows = await q.all<RollupRow>(
      `SELECT day, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events
         FROM daily_rollups WHERE user_id = ? AND day = ?`, [userId, day]);
    const f = reconcileDay(rows, prices);
    await q.run(`UPDATE user_days SET input_tokens = ?, output_tokens = ?, cache_read_tokens = ?, cache_write_tokens = ?, events = ?,
                   cost_usd = ?, unpriced_tokens = ?, replaced_tokens = ? WHERE user_id = ? AND day = ?`,
      [f.input_tokens, f.output_tokens, f.cache_read_tokens, f.cache_write_tokens, f.events, f.cost_usd, f.unpriced_tokens, f.replaced_tokens, userId, day]);
  }
  await q.run(`UPDATE user_totals SET
      input_tokens = (SELECT COALESCE(SUM(input_tokens), 0) FROM user_days WHERE user_id = ?),
      output_tokens = (SELECT COALESCE(SUM(output_tokens), 0) FROM user_days WHERE user_id = ?),
      cache_read_tokens = (SELECT COALESCE(SUM(cache_read_tokens), 0) FROM user_days WHERE user_id = ?),
      cache_write_tokens = (SELECT COALESCE(SUM(cache_write_tokens), 0) FROM user_days WHERE user_id = ?),
      events = (SELECT COALESCE(SUM(events), 0) FROM user_days WHERE user_id = ?),
      cost_usd = (SELECT COALESCE(SUM(cost_usd), 0) FROM user_days WHERE user_id = ?),
      unpriced_tokens = (SELECT COALESCE(SUM(unpriced_tokens), 0) FROM user_days WHERE user_id = ?),
      replaced_tokens = (SELECT COALESCE(SUM(replaced_tokens), 0) FROM user_days WHERE user_id = ?)
    WHERE user_id = ?`, Array(9).fill(userId));
}
