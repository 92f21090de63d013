// Real values for the route fuzz: a generated `LIVE` stands for "an id, slug or code that
// exists right now", looked up (or made) just before the request is sent, because fuzzed
// requests before it may have deleted what was there. Without these, requests to
// /admin/budgets/:id, /login/link and the like reach the handler only to be told "not found".
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { setBudget } from '../src/budgets/budgets.ts';
import { addDestination } from '../src/alerts/destinations.ts';
import { addTeam, addMember } from '../src/teams/teams.ts';
import { addUser, findUser } from '../src/users/users.ts';
import type { TestApp } from '../test/helpers/app.ts';
import { rows, updateUser } from '../test/helpers/db.ts';

/** The placeholder a generator emits for a real value. */
export const LIVE = 'LIVE-VALUE';

/** An active person the fuzz can point at (a fuzzed form may have deactivated or deleted them). */
async function person(app: TestApp, login: string): Promise<string> {
  const { db } = app.running.services;
  if (!(await findUser(db, login))) await addUser(db, { login, role: 'member' }, CLI_ACTOR);
  await updateUser(db, login, { active: true });
  return login;
}

const first = async (app: TestApp, sql: string, params: unknown[] = []) =>
  (await rows<{ v: unknown }>(app.running.services.db, sql, params))[0]?.v;

/** The newest row's key from `sql`, made by `make` when there is none. */
async function existing(app: TestApp, sql: string, make: () => Promise<unknown>, params: unknown[] = []): Promise<string> {
  let v = await first(app, sql, params);
  if (v === undefined) {
    await make();
    v = await first(app, sql, params);
  }
  return String(v ?? '1');
}

/** A real value for path parameter or field `name` of the route at `path`. */
export async function liveValue(app: TestApp, path: string, name: string): Promise<string> {
  const s = app.running.services;
  if (name === 'code') {
    const url = new URL(await app.loginLink(await person(app, 'target')));
    return url.searchParams.get('code')!;
  }
  if (name === 'login') return person(app, 'target');
  if (path.startsWith('/admin/budgets/')) return existing(app, 'SELECT id AS v FROM budgets ORDER BY id DESC', () => setBudget(s.db, { scope: 'org', period: 'month', limit_usd: 100 }, CLI_ACTOR));
  if (path.startsWith('/admin/alerts/')) {
    return existing(app, 'SELECT id AS v FROM alert_destinations ORDER BY id DESC', () => addDestination(s, { kind: 'webhook', url: 'http://127.0.0.1:9/fuzz-hook', events: 'budget' }, CLI_ACTOR));
  }
  if (path.startsWith('/admin/tokens/')) return existing(app, 'SELECT id AS v FROM agent_tokens ORDER BY id DESC', async () => app.createToken(await person(app, 'target')));
  if (path.startsWith('/settings/tokens/')) {
    return existing(app, 'SELECT t.id AS v FROM agent_tokens t JOIN users u ON u.id = t.user_id WHERE u.login = ? ORDER BY t.id DESC', () => app.createToken('fuzz-admin'), ['fuzz-admin']);
  }
  if (path.startsWith('/admin/teams/')) {
    return existing(app, 'SELECT slug AS v FROM teams ORDER BY id DESC', async () => {
      await addTeam(s.db, { slug: 'fuzz-team' }, CLI_ACTOR);
      await addMember(s.db, 'fuzz-team', await person(app, 'target'), CLI_ACTOR);
    });
  }
  if (path.startsWith('/admin/imports/jobs/')) return String((await first(app, 'SELECT id AS v FROM import_jobs ORDER BY id DESC')) ?? '1');
  return LIVE;
}
