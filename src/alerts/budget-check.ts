// The budget check: every budget's spend in its current period, and for each threshold it
// has reached a notification — decided by the unique key (budget, revision, threshold,
// period start) in the transaction that inserts it, with its deliveries beside it.
import type { Services } from '../services.ts';
import * as alerts from '../db/repos/alerts.ts';
import { listBudgets } from '../budgets/budgets.ts';
import { budgetStatuses, type BudgetStatus } from '../budgets/spend.ts';
import { enqueue, type Enqueued } from './events.ts';
import { budgetFields } from './payload.ts';

export function budgetKey(st: Pick<BudgetStatus, 'budget' | 'period'>, threshold: number): string {
  return `budget:${st.budget.id}:r${st.budget.revision}:${threshold}:${st.period.start}`;
}

/** Runs the check once; returns the notifications it decided (none when others already had). */
export async function checkBudgets(s: Services, now = Date.now()): Promise<Enqueued[]> {
  const budgets = await listBudgets(s.db);
  if (budgets.length === 0) return [];
  const statuses = await budgetStatuses(s.db, budgets, s.calendar().dayOf(now));
  const wanted = statuses.flatMap((st) => st.crossed.map((t) => ({ st, t, key: budgetKey(st, t) })));
  if (wanted.length === 0) return [];
  // Most keys were decided at an earlier check: look them up in one read, outside any transaction.
  const seen = await alerts.existingKeys(s.db.sql, wanted.map((w) => w.key));
  const ctx = { orgName: s.settings().name, baseUrl: s.cfg.server.base_url };
  const out: Enqueued[] = [];
  for (const w of wanted) {
    if (seen.has(w.key)) continue;
    const made = await s.db.transaction((tx) => enqueue(tx, {
      type: 'budget.threshold_crossed', dedup_key: w.key, kind: 'budget', budget_id: w.st.budget.id, fields: budgetFields(w.st, w.t, ctx),
    }, now));
    if (made) out.push(made);
  }
  return out;
}

/** The thresholds already notified in each budget's current period and revision (for the pages). */
export async function notifiedThresholds(s: Services, statuses: readonly BudgetStatus[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  const current = new Map(statuses.map((st) => [st.budget.id, `budget:${st.budget.id}:r${st.budget.revision}:`]));
  for (const e of await alerts.budgetEvents(s.db.sql, [...current.keys()])) {
    const st = statuses.find((x) => x.budget.id === e.budget_id)!;
    const prefix = current.get(e.budget_id)!;
    const m = e.dedup_key.startsWith(prefix) ? /^(\d+):(.+)$/.exec(e.dedup_key.slice(prefix.length)) : null;
    if (!m || m[2] !== st.period.start) continue;
    out.set(e.budget_id, [...(out.get(e.budget_id) ?? []), Number(m[1])].sort((a, b) => a - b));
  }
  return out;
}
