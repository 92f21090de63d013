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
