// Budgets: a limit per week or month (org calendar) in estimated USD or tokens, for one
// person, one GitHub team or the whole org. Every change is audited and bumps the `budgets`
// data version, so the budget check on whichever replica holds it looks again at once.
import type { Db } from '../db/connect.ts';
import { isUniqueViolation } from '../db/dialect.ts';
import * as budgetsRepo from '../db/repos/budgets.ts';
import type { BudgetFields, BudgetRow } from '../db/repos/budgets.ts';
import * as users from '../db/repos/users.ts';
import type { User } from '../db/repos/users.ts';
import { bumpVersion } from '../db/repos/versions.ts';
import { BadInput, NotFound } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { checkBudget, type BudgetDraft, type CheckedBudget } from './input.ts';
import { teamSlugs } from '../teams/teams.ts';
import { PERIOD_WORDS } from './period.ts';

export type Budget = BudgetRow;

/** The teams a budget can be for: local ones and the GitHub teams active people are in. */
export const knownTeams = (db: Db): Promise<string[]> => teamSlugs(db);

/** "team platform", "alice", "the whole org". */
export function subjectText(b: Pick<Budget, 'scope' | 'login' | 'team'>): string {
  if (b.scope === 'user') return b.login ?? 'a deleted person';
  if (b.scope === 'team') return `team ${b.team}`;
  return 'the whole org';
}

export function limitText(b: Pick<Budget, 'limit_usd' | 'limit_tokens'>): string {
  return b.limit_usd !== null ? `$${b.limit_usd} (estimated)` : `${b.limit_tokens} tokens`;
}

async function fieldsOf(db: Db, c: CheckedBudget): Promise<BudgetFields> {
  const base = { scope: c.scope, period: c.period, limit_usd: c.limit_usd, limit_tokens: c.limit_tokens, thresholds: c.thresholds };
  if (c.scope === 'user') {
    const person = await users.byLogin(db.sql, c.subject!);
    if (!person) throw new BadInput(`user: nobody has the login "${c.subject}"`);
    return { ...base, subject_key: `user:${person.id}`, user_id: person.id, team: null };
  }
  if (c.scope === 'team') {
    const teams = await knownTeams(db);
    const slug = teams.find((t) => t.toLowerCase() === c.subject!.toLowerCase());
    if (!slug) throw new BadInput(`team: there is no team "${c.subject}"${teams.length ? ` (teams: ${teams.slice(0, 20).join(', ')}${teams.length > 20 ? ', …' : ''})` : '; teams come from GitHub sign-in or "tokenboard team add"'}`);
    return { ...base, subject_key: `team:${slug}`, user_id: null, team: slug };
  }
  return { ...base, subject_key: 'org', user_id: null, team: null };
}

const sameNotice = (b: Budget, f: BudgetFields) => b.subject_key === f.subject_key && b.period === f.period && b.limit_usd === f.limit_usd
  && b.limit_tokens === f.limit_tokens && b.thresholds.join(',') === f.thresholds.join(',');

export interface SetOptions {
  /** Change this budget; without it the subject's budget for the period is created or changed (the CLI's `budget set`). */
  id?: number;
  /** Refuse when the subject already has a budget for the period (the admin page's "Add"). */
  mustBeNew?: boolean;
}

/** Creates or changes a budget; returns it as stored and whether it is new. */
export async function setBudget(db: Db, draft: BudgetDraft, actor: Actor, o: SetOptions = {}, now = Date.now()): Promise<{ budget: Budget; created: boolean }> {
  const f = await fieldsOf(db, checkBudget(draft));
  try {
    return await db.transaction(async (tx) => {
      const existing = o.id !== undefined ? await budgetsRepo.byId(tx, o.id) : await budgetsRepo.bySubject(tx, f.subject_key, f.period);
      if (o.id !== undefined && !existing) throw new NotFound(`budget: there is no budget #${o.id}`);
      if (existing && o.mustBeNew) throw taken(existing);
      let id: number;
      if (existing) {
        await budgetsRepo.update(tx, existing.id, f, !sameNotice(existing, f), now);
        id = existing.id;
      } else {
        const made = await budgetsRepo.insert(tx, f, actor.login, now);
        if (made === null) throw taken((await budgetsRepo.bySubject(tx, f.subject_key, f.period))!);
        id = made;
      }
      const budget = (await budgetsRepo.byId(tx, id))!;
      await audit(tx, actor, 'budget.set', subjectText(budget), { id, before: existing ? describe(existing) : null, after: describe(budget) });
      await bumpVersion(tx, 'budgets');
      return { budget, created: !existing };
    });
  } catch (err) {
    // Moving a budget onto a subject and period that already has one.
    if (isUniqueViolation(err)) throw new BadInput(`budget: ${f.scope === 'org' ? 'the org' : f.team ? `team ${f.team}` : draft.subject} already has a ${PERIOD_WORDS[f.period].adjective} budget`);
    throw err;
  }
}

function taken(b: Budget): BadInput {
  return new BadInput(`budget: ${subjectText(b)} already has a ${PERIOD_WORDS[b.period].adjective} budget (#${b.id}); change that one`);
}

function describe(b: Budget) {
  return { scope: b.scope, subject: b.scope === 'user' ? b.login : b.team, period: b.period, limit_usd: b.limit_usd, limit_tokens: b.limit_tokens, thresholds: b.thresholds };
}

export async function removeBudget(db: Db, id: number, actor: Actor): Promise<Budget> {
  return db.transaction(async (tx) => {
    const b = await budgetsRepo.byId(tx, id);
    if (!b) throw new NotFound(`budget: there is no budget #${id}`);
    await budgetsRepo.remove(tx, id);
    await audit(tx, actor, 'budget.remove', subjectText(b), { id, before: describe(b) });
    await bumpVersion(tx, 'budgets');
    return b;
  });
}

export function listBudgets(db: Db): Promise<Budget[]> {
  return budgetsRepo.list(db.sql);
}

export function budgetById(db: Db, id: number): Promise<Budget | null> {
  return budgetsRepo.byId(db.sql, id);
}

/** The budgets that count a person's usage: their own, their teams' and the org's. */
export function appliesTo(b: Budget, person: Pick<User, 'id' | 'teams'>): boolean {
  return b.scope === 'org' || (b.scope === 'user' && b.user_id === person.id) || (b.scope === 'team' && person.teams.includes(b.team!));
}

/** What a manager sees on /team: their teams' budgets and the org's (an admin: every team's and the org's). */
export function managerSees(b: Budget, viewer: Pick<User, 'teams' | 'role'>): boolean {
  if (b.scope === 'org') return true;
  if (b.scope !== 'team') return false;
  return viewer.role === 'admin' || viewer.teams.includes(b.team!);
}
