// /admin/budgets: every budget with its spend this period, the add form, and a row being
// edited; after a refused save the typed values come back with the message on the field.
import type { Budget } from '../../../budgets/budgets.ts';
import type { BudgetLine } from '../../../budgets/views.ts';
import type { BudgetDraft } from '../../../budgets/input.ts';
import type { FieldError } from '../../pages/admin/common.ts';
import { presentBudgetLine } from '../budgets.ts';

/** The form as typed: one limit box and its unit. */
export interface BudgetForm { scope: string; subject: string; period: string; unit: string; limit: string; thresholds: string }

export const EMPTY_FORM: BudgetForm = { scope: 'team', subject: '', period: 'month', unit: 'usd', limit: '', thresholds: '50, 80, 100' };

export function formOf(b: Budget): BudgetForm {
  return {
    scope: b.scope, subject: b.scope === 'user' ? b.login ?? '' : b.team ?? '', period: b.period,
    unit: b.limit_usd !== null ? 'usd' : 'tokens', limit: String(b.limit_usd ?? b.limit_tokens ?? ''), thresholds: b.thresholds.join(', '),
  };
}

export function draftOf(f: BudgetForm): BudgetDraft {
  return {
    scope: f.scope, subject: f.subject, period: f.period, thresholds: f.thresholds,
    limit_usd: f.unit === 'tokens' ? null : f.limit || null,
    limit_tokens: f.unit === 'tokens' ? f.limit || null : null,
  };
}

/** Which input a domain message is about ("team: …" and "user: …" are the subject box). */
function fieldOf(e: FieldError | null): string | null {
  if (!e) return null;
  if (e.field === 'user' || e.field === 'team') return 'subject';
  if (e.field === 'limit') return 'limit';
  return e.field;
}

export interface BudgetsPageState {
  edit?: { id: number; form?: BudgetForm; error?: FieldError | null } | null;
  add?: { form: BudgetForm; error: FieldError | null } | null;
  notice?: string | null;
}

export function presentBudgetsPage(v: { lines: BudgetLine[]; teams: string[]; logins: string[] }, o: BudgetsPageState) {
  return {
    rows: v.lines.map((l) => {
      const editing = o.edit?.id === l.budget.id;
      return {
        ...presentBudgetLine(l),
        editing,
        form: editing ? o.edit!.form ?? formOf(l.budget) : null,
        error: editing ? o.edit!.error ?? null : null,
        error_field: editing ? fieldOf(o.edit!.error ?? null) : null,
        edit_href: `/admin/budgets?edit=${l.budget.id}#budget-${l.budget.id}`,
      };
    }),
    add: { form: o.add?.form ?? EMPTY_FORM, error: o.add?.error ?? null, error_field: fieldOf(o.add?.error ?? null) },
    teams: v.teams,
    logins: v.logins,
    notice: o.notice ?? null,
  };
}
