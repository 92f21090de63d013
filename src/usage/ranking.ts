// Ranking with ties, as pure functions: equal values share a rank and the next rank skips
// ("1, 2, 2, 4"), so a tie never depends on the order rows came back from the database.
import { roundUsd } from '../pricing/table.ts';

export const METRICS = ['tokens', 'cost', 'sessions', 'messages', 'active_days', 'models', 'skills'] as const;
export type Metric = (typeof METRICS)[number];

export function isMetric(m: unknown): m is Metric {
  return typeof m === 'string' && (METRICS as readonly string[]).includes(m);
}

export const METRIC_LABELS: Record<Metric, string> = {
  tokens: 'Tokens',
  cost: 'Estimated cost',
  sessions: 'Sessions',
  messages: 'Messages',
  active_days: 'Active days',
  models: 'Models used',
  skills: 'Skills used',
};

export interface Figures {
  tokens: number;
  /** USD of the priced part. */
  cost_usd: number;
  /** Tokens of models without a price: the cost leaves them out. */
  unpriced_tokens: number;
  messages: number;
  sessions: number;
  active_days: number;
  /** Distinct models and skills: counted only when ranking by them (they read more rows), else null. */
  models: number | null;
  skills: number | null;
}

export function metricValue(f: Figures, m: Metric): number {
  switch (m) {
    case 'tokens': return f.tokens;
    // Cost sums come from floating-point additions in different orders: round so two
    // equal costs tie instead of differing in the 15th digit.
    case 'cost': return roundUsd(f.cost_usd);
    case 'sessions': return f.sessions;
    case 'messages': return f.messages;
    case 'active_days': return f.active_days;
    case 'models': return f.models ?? 0;
    case 'skills': return f.skills ?? 0;
  }
}

export interface Ranked<T> {
  rank: number;
  value: number;
  item: T;
}

/** Sorts by value (highest first), then by `tieKey` for a stable order, and assigns ranks. */
export function rankBy<T>(items: T[], value: (t: T) => number, tieKey: (t: T) => string): Ranked<T>[] {
  const rows = items.map((item) => ({ item, value: value(item), rank: 0 }));
  rows.sort((a, b) => b.value - a.value || (tieKey(a.item) < tieKey(b.item) ? -1 : tieKey(a.item) > tieKey(b.item) ? 1 : 0));
  rows.forEach((r, i) => { r.rank = i > 0 && rows[i - 1].value === r.value ? rows[i - 1].rank : i + 1; });
  return rows;
}
