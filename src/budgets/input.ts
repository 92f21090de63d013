// What a budget may be (pure): who it is for, its period, one limit (USD or tokens) and its
// thresholds. Messages start with the field they are about, so forms show them on it.
import { BadInput } from '../errors.ts';
import type { PeriodName, Scope } from '../db/repos/budgets.ts';

export const SCOPES: readonly Scope[] = ['user', 'team', 'org'];
export const PERIODS: readonly PeriodName[] = ['week', 'month'];
export const DEFAULT_THRESHOLDS: readonly number[] = [50, 80, 100];
const MAX_THRESHOLDS = 10;

export interface BudgetDraft {
  scope: string;
  /** The login (user) or the GitHub team slug (team); ignored for org. */
  subject?: string | null;
  period: string;
  limit_usd?: string | number | null;
  limit_tokens?: string | number | null;
  /** "50, 80, 100", a list, or empty for the defaults. */
  thresholds?: string | readonly number[] | null;
}

export interface CheckedBudget {
  scope: Scope;
  subject: string | null;
  period: PeriodName;
  limit_usd: number | null;
  limit_tokens: number | null;
  thresholds: number[];
}

const given = (v: unknown) => v !== undefined && v !== null && String(v).trim() !== '';

function amount(field: 'limit_usd' | 'limit_tokens', raw: string | number): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  const unit = field === 'limit_usd' ? 'USD' : 'tokens';
  if (!Number.isFinite(n)) throw new BadInput(`limit: "${String(raw).trim()}" is not a number of ${unit}`);
  if (n <= 0) throw new BadInput(`limit: must be more than 0 ${unit}, got ${n}`);
  if (field === 'limit_tokens' && !Number.isInteger(n)) throw new BadInput(`limit: a whole number of tokens, got ${n}`);
  if (n > 1e15) throw new BadInput(`limit: ${n} ${unit} is too large`);
  return n;
}

export function parseThresholds(raw: BudgetDraft['thresholds']): number[] {
  if (!given(raw) || (Array.isArray(raw) && raw.length === 0)) return [...DEFAULT_THRESHOLDS];
  const parts = Array.isArray(raw) ? raw.map(String) : String(raw).split(/[\s,;]+/).filter(Boolean);
  const out = new Set<number>();
  for (const p of parts) {
    const t = p.replace(/%$/, '');
    const n = Number(t);
    if (!/^\d+$/.test(t) || !Number.isInteger(n)) throw new BadInput(`thresholds: "${p}" is not a whole number of percent (e.g. 50, 80, 100)`);
    if (n < 1 || n > 1000) throw new BadInput(`thresholds: ${n} is outside 1–1000 (percent of the limit)`);
    out.add(n);
  }
  if (out.size > MAX_THRESHOLDS) throw new BadInput(`thresholds: at most ${MAX_THRESHOLDS}, got ${out.size}`);
  return [...out].sort((a, b) => a - b);
}

export function checkBudget(d: BudgetDraft): CheckedBudget {
  const scope = String(d.scope ?? '').trim();
  if (!(SCOPES as readonly string[]).includes(scope)) throw new BadInput(`scope: user, team or org, not "${scope}"`);
  const subject = String(d.subject ?? '').trim();
  if (scope === 'user' && !subject) throw new BadInput('user: give the login of the person the budget is for');
  if (scope === 'team' && !subject) throw new BadInput('team: give the GitHub team slug the budget is for');
  if (subject.length > 200 || /[\p{Cc}\p{Cf}]/u.test(subject)) throw new BadInput(`${scope === 'team' ? 'team' : 'user'}: 1-200 printable characters`);
  const period = String(d.period ?? '').trim();
  if (!(PERIODS as readonly string[]).includes(period)) throw new BadInput(`period: week or month, not "${period}"`);
  const usd = given(d.limit_usd);
  const tokens = given(d.limit_tokens);
  if (usd && tokens) throw new BadInput('limit: a limit in USD or in tokens, not both');
  if (!usd && !tokens) throw new BadInput('limit: give a limit in estimated USD or in tokens');
  return {
    scope: scope as Scope,
    subject: scope === 'org' ? null : subject,
    period: period as PeriodName,
    limit_usd: usd ? amount('limit_usd', d.limit_usd!) : null,
    limit_tokens: tokens ? amount('limit_tokens', d.limit_tokens!) : null,
    thresholds: parseThresholds(d.thresholds),
  };
}
