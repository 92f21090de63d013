// How much of a budget is used: the read model's per-person sums over the budget's current
// period (the same reconciled numbers at current prices the pages show), added up over the
// people it covers. Models without a price add tokens but no cost: the cost is then partial
// and says so (unpriced_tokens > 0), never silently complete.
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import type { PersonSums } from '../db/repos/usage-read.ts';
import { personSums } from '../ledger/read.ts';
import type { Budget } from './budgets.ts';
import { periodOf, type PeriodRange } from './period.ts';

export interface Spend {
  spent_usd: number;
  tokens: number;
  /** Tokens of models without a price: counted in `tokens`, missing from `spent_usd`. */
  unpriced_tokens: number;
  /** People the budget covers. */
  people: number;
}

export interface BudgetStatus {
  budget: Budget;
  period: PeriodRange;
  spend: Spend;
  /** Used share of the limit (1 = 100%). */
  fraction: number;
  /** The budget's thresholds reached in this period, ascending. */
  crossed: number[];
}

/** Sums the people's figures (pure). */
export function spendOf(sums: ReadonlyMap<number, Pick<PersonSums, 'cost_usd' | 'tokens' | 'unpriced_tokens'>>, ids: readonly number[]): Spend {
  const out: Spend = { spent_usd: 0, tokens: 0, unpriced_tokens: 0, people: ids.length };
  for (const id of ids) {
    const s = sums.get(id);
    if (!s) continue;
    out.spent_usd += s.cost_usd;
    out.tokens += s.tokens;
    out.unpriced_tokens += s.unpriced_tokens;
  }
  return out;
}

export function fractionOf(b: Pick<Budget, 'limit_usd' | 'limit_tokens'>, s: Spend): number {
  return b.limit_usd !== null ? s.spent_usd / b.limit_usd : s.tokens / b.limit_tokens!;
}

/**
 * Thresholds reached: spent ≥ limit × t / 100. Costs are sums of floating-point prices, so
 * a hair of tolerance keeps exactly 80% from reading as 79.99999%.
 */
export function crossedThresholds(b: Pick<Budget, 'limit_usd' | 'limit_tokens' | 'thresholds'>, s: Spend): number[] {
  const used = b.limit_usd !== null ? s.spent_usd : s.tokens;
  const limit = b.limit_usd ?? b.limit_tokens!;
  return b.thresholds.filter((t) => used * 100 + 1e-9 >= limit * t).sort((x, y) => x - y);
}

/** Who a budget covers: the person, the team's active members, or every active person. */
export function peopleOf(b: Budget, active: readonly Pick<users.User, 'id' | 'teams'>[]): number[] {
  if (b.scope === 'user') return b.user_id === null ? [] : [b.user_id];
  if (b.scope === 'team') return active.filter((u) => u.teams.includes(b.team!)).map((u) => u.id);
  return active.map((u) => u.id);
}

/** The status of each budget in the period that contains `today` (a day of the org calendar). */
export async function budgetStatuses(db: Db, budgets: readonly Budget[], today: string): Promise<BudgetStatus[]> {
  if (budgets.length === 0) return [];
  const active = await users.listActive(db.sql);
  // One read of the read model per distinct period (a week and a month at most).
  const byRange = new Map<string, Promise<Map<number, PersonSums>>>();
  const sumsOf = (p: PeriodRange) => {
    const key = `${p.start}..${p.end}`;
    let m = byRange.get(key);
    if (!m) byRange.set(key, (m = personSums(db, { from: p.start, to: p.end }).then((rows) => new Map(rows.map((r) => [r.user_id, r])))));
    return m;
  };
  return Promise.all(budgets.map(async (budget) => {
    const period = periodOf(budget.period, today);
    const spend = spendOf(await sumsOf(period), peopleOf(budget, active));
    return { budget, period, spend, fraction: fractionOf(budget, spend), crossed: crossedThresholds(budget, spend) };
  }));
}
