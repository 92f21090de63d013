// Pure arithmetic over rollup groups: token sums and cost from the current price table
// (costUsd, the one cost formula), for `tokenboard stats`.
import { groupCost, roundUsd, type PriceTable, type TokenCounts } from '../pricing/table.ts';
import { tokensOf } from '../ledger/rules.ts';

export interface RollupGroup extends TokenCounts {
  provider: string;
  model: string;
  is_local: boolean;
  tier: number;
  events: number;
}

export interface ModelTotals extends TokenCounts {
  provider: string;
  model: string;
  events: number;
  cost_usd: number | null;
}

export interface Totals extends TokenCounts {
  total_tokens: number;
  events: number;
  /** Sum over priced models; null when nothing used has a price. See `unknown_models`. */
  cost_usd: number | null;
  /** Models with usage but no price: the cost above leaves them out. */
  unknown_models: string[];
  models: ModelTotals[];
}

/** Folds rollup groups (any tiers) into per-model and overall totals. */
export function totalsOf(groups: RollupGroup[], prices: PriceTable): Totals {
  const byModel = new Map<string, ModelTotals>();
  for (const g of groups) {
    const key = `${g.provider}\u0000${g.model}`;
    let m = byModel.get(key);
    if (!m) {
      m = { provider: g.provider, model: g.model, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, events: 0, cost_usd: 0 };
      byModel.set(key, m);
    }
    m.input_tokens += g.input_tokens;
    m.output_tokens += g.output_tokens;
    m.cache_read_tokens += g.cache_read_tokens;
    m.cache_write_tokens += g.cache_write_tokens;
    m.events += g.events;
    const cost = groupCost(prices, g);
    m.cost_usd = cost === null || m.cost_usd === null ? null : m.cost_usd + cost;
  }
  const models = [...byModel.values()]
    .map((m) => ({ ...m, cost_usd: m.cost_usd === null ? null : roundUsd(m.cost_usd) }))
    .sort((a, b) => tokensOf(b) - tokensOf(a) || a.model.localeCompare(b.model));
  const t: Totals = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, total_tokens: 0, events: 0, cost_usd: null, unknown_models: [], models };
  let cost = 0;
  let priced = false;
  for (const m of models) {
    t.input_tokens += m.input_tokens;
    t.output_tokens += m.output_tokens;
    t.cache_read_tokens += m.cache_read_tokens;
    t.cache_write_tokens += m.cache_write_tokens;
    t.events += m.events;
    if (m.cost_usd === null) {
      if (!t.unknown_models.includes(m.model)) t.unknown_models.push(m.model);
    } else {
      cost += m.cost_usd;
      priced = true;
    }
  }
  t.total_tokens = tokensOf(t);
  t.cost_usd = priced || t.unknown_models.length === 0 ? roundUsd(cost) : null;
  return t;
}
