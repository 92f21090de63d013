// Budgets (budgets): one per subject (a person, a team, the org) and period, typed rows in
// and out. A person's login comes from the users table, so a renamed GitHub account keeps its budget.
import { jsonList, num, numOrNull } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';

export type Scope = 'user' | 'team' | 'org';
export type PeriodName = 'week' | 'month';

export interface BudgetRow {
  id: number;
  scope: Scope;
  subject_key: string;
  user_id: number | null;
  /** The person's login (user scope), else null. */
  login: string | null;
  team: string | null;
  period: PeriodName;
  limit_usd: number | null;
  limit_tokens: number | null;
  thresholds: number[];
  revision: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface BudgetFields {
  scope: Scope;
  subject_key: string;
  user_id: number | null;
  team: string | null;
  period: PeriodName;
  limit_usd: number | null;
  limit_tokens: number | null;
  thresholds: number[];
}

const SELECT = `SELECT b.id, b.scope, b.subject_key, b.user_id, u.login, b.team, b.period, b.limit_usd, b.limit_tokens, b.thresholds,
                       b.revision, b.created_by, b.created_at, b.updated_at
                  FROM budgets b LEFT JOIN users u ON u.id = b.user_id`;

function toBudget(r: Record<string, unknown>): BudgetRow {
  return {
    id: num(r.id), scope: String(r.scope) as Scope, subject_key: String(r.subject_key), user_id: numOrNull(r.user_id),
    login: (r.login as string | null) ?? null, team: (r.team as string | null) ?? null, period: String(r.period) as PeriodName,
    limit_usd: numOrNull(r.limit_usd), limit_tokens: numOrNull(r.limit_tokens),
    thresholds: jsonList(r.thresholds).map(Number), revision: num(r.revision), created_by: String(r.created_by),
    created_at: num(r.created_at), updated_at: num(r.updated_at),
  };
}

export async function list(q: Sql): Promise<BudgetRow[]> {
  return (await q.all<Record<string, unknown>>(`${SELECT} ORDER BY b.scope, b.subject_key, b.period`)).map(toBudget);
}

export async function byId(q: Sql, id: number): Promise<BudgetRow | null> {
  const r = await one<Record<string, unknown>>(q, `${SELECT} WHERE b.id = ?`, [id]);
  return r ? toBudget(r) : null;
}

export async function bySubject(q: Sql, subjectKey: string, period: PeriodName): Promise<BudgetRow | null> {
  const r = await one<Record<string, unknown>>(q, `${SELECT} WHERE b.subject_key = ? AND b.period = ?`, [subjectKey, period]);
  return r ? toBudget(r) : null;
}

const thresholdsText = (t: number[]) => JSON.stringify(t.map(String));

/** A new budget; null when its subject already has one for that period (the unique index decides). */
export async function insert(q: Sql, f: BudgetFields, by: string, now: number): Promise<number | null> {
  const rows = await q.all<{ id: number }>(
    `INSERT INTO budgets (scope, subject_key, user_id, team, period, limit_usd, limit_tokens, thresholds, revision, created_by, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,1,?,?,?) ON CONFLICT (subject_key, period) DO NOTHING RETURNING id`,
    [f.scope, f.subject_key, f.user_id, f.team, f.period, f.limit_usd, f.limit_tokens, thresholdsText(f.thresholds), by, now, now]);
  return rows[0] ? num(rows[0].id) : null;
}

/** Changes a budget; `renotify` moves its revision, so its thresholds are notified afresh. */
export async function update(q: Sql, id: number, f: BudgetFields, renotify: boolean, now: number): Promise<number> {
  return q.run(
    `UPDATE budgets SET scope = ?, subject_key = ?, user_id = ?, team = ?, period = ?, limit_usd = ?, limit_tokens = ?, thresholds = ?,
            revision = revision + ?, updated_at = ? WHERE id = ?`,
    [f.scope, f.subject_key, f.user_id, f.team, f.period, f.limit_usd, f.limit_tokens, thresholdsText(f.thresholds), renotify ? 1 : 0, now, id]);
}

export async function remove(q: Sql, id: number): Promise<number> {
  return q.run('DELETE FROM budgets WHERE id = ?', [id]);
}
