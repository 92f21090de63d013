// Budgets as the pages ask for them, each in one call: the admin's list (with who can be
// chosen), the budgets that count a person's usage (profile, settings) and a manager's
// teams' budgets (/team). Spend is for each budget's current period.
import type { Services } from '../services.ts';
import type { User } from '../db/repos/users.ts';
import * as users from '../db/repos/users.ts';
import { notifiedThresholds } from '../alerts/budget-check.ts';
import { appliesTo, knownTeams, listBudgets, managerSees, type Budget } from './budgets.ts';
import { budgetStatuses, type BudgetStatus } from './spend.ts';

export interface BudgetLine extends BudgetStatus {
  /** Thresholds already notified this period. */
  notified: number[];
}

async function lines(s: Services, budgets: Budget[], now: number): Promise<BudgetLine[]> {
  const statuses = await budgetStatuses(s.db, budgets, s.calendar().dayOf(now));
  const notified = await notifiedThresholds(s, statuses);
  return statuses.map((st) => ({ ...st, notified: notified.get(st.budget.id) ?? [] }));
}

export async function budgetAdminView(s: Services, now = Date.now()): Promise<{ lines: BudgetLine[]; teams: string[]; logins: string[] }> {
  const [budgets, teams, people] = await Promise.all([listBudgets(s.db), knownTeams(s.db), users.listActive(s.db.sql)]);
  return { lines: await lines(s, budgets, now), teams, logins: people.map((u) => u.login) };
}

/** Budgets that count this person's usage: their own, their teams' and the org's. */
export async function budgetsOfPerson(s: Services, person: Pick<User, 'id' | 'teams'>, now = Date.now()): Promise<BudgetLine[]> {
  return lines(s, (await listBudgets(s.db)).filter((b) => appliesTo(b, person)), now);
}

/** The budgets a manager sees on /team. */
export async function budgetsForManager(s: Services, viewer: Pick<User, 'teams' | 'role'>, now = Date.now()): Promise<BudgetLine[]> {
  return lines(s, (await listBudgets(s.db)).filter((b) => managerSees(b, viewer)), now);
}
