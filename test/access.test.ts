// The route × role table: every registered route has an entry, and over real HTTP every
// route answers every audience exactly as src/web/access.ts says.
import test from 'ava';
import Router from '@koa/router';
import { createRouters } from '../src/app.ts';
import { ACCESS, AUDIENCES, decide, type Audience, type Decision, type Rule } from '../src/web/access.ts';
import { registeredRoutes, unlistedRoutes } from '../src/web/routes.ts';
import { deactivateUser } from '../src/admin/users.ts';
import { saveSettings } from '../src/admin/settings.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { withApp, type TestApp } from './helpers/app.ts';

test('every registered route has an entry in the access table', async (t) => {
  const app = await withApp();
  const routers = createRouters(app.running.services);
  t.true(registeredRoutes(routers).length > 10);
  t.deepEqual(unlistedRoutes(routers, ACCESS), [], 'add these routes to src/web/access.ts');
  // The check itself catches a route added without an entry.
  const extra = new Router();
  extra.get('/new-page', () => {});
  extra.post('/admin/new-thing', () => {});
  t.deepEqual(unlistedRoutes([...routers, extra], ACCESS), ['GET /new-page', 'POST /admin/new-thing']);
  await app.stop();
});

test('policy: admin pages are for admins only, team pages for managers and admins', (t) => {
  for (const [key, rule] of Object.entries(ACCESS)) {
    const path = key.split(' ')[1];
    if (path === '/admin' || path.startsWith('/admin/')) t.deepEqual([...rule.allow], ['admin'], key);
    if (path === '/team' || path.startsWith('/team.') || path.startsWith('/team/')) t.deepEqual([...rule.allow], ['manager', 'admin'], key);
    if (rule.kind !== 'open') t.is(rule.allow.includes('deactivated'), rule.allow.includes('anonymous'), `${key}: a deactivated person is anonymous`);
  }
});

interface Client { cookie: string; csrf: string }

async function clients(app: TestApp, round = ''): Promise<Record<Audience, Client>> {
  const anon = app.browser();
  await anon.get('/login');
  const out = { anonymous: { cookie: anon.cookie, csrf: anon.csrf } } as Record<Audience, Client>;
  for (const role of ['member', 'manager', 'admin', 'deactivated'] as const) {
    const b = await app.signIn(`as-${role}${round}`, role === 'deactivated' ? 'member' : role);
    out[role] = { cookie: b.cookie, csrf: b.csrf };
  }
  // Deactivation ends the person's sessions: their cookie now says so at the next request.
  await deactivateUser(app.running.services.db, `as-deactivated${round}`, CLI_ACTOR);
  return out;
}

function concrete(pattern: string): string {
  return pattern.replace(/:login\b/g, 'target').replace(/:id\b/g, '1').replace(/:[A-Za-z_]+/g, 'x');
}

async function outcome(app: TestApp, key: string, rule: Rule, c: Client): Promise<{ decision: Decision; detail: string }> {
  const [method, pattern] = key.split(' ');
  const headers: Record<string, string> = { cookie: c.cookie, 'x-csrf-token': c.csrf, accept: rule.kind === 'api' ? 'application/json' : 'text/html' };
  let body: string | undefined;
  if (method !== 'GET') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams({ _csrf: c.csrf }).toString();
  }
  const res = await fetch(`${app.url}${concrete(pattern)}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  const location = res.headers.get('location') ?? '';
  const detail = `${res.status} ${location} ${text.slice(0, 120).replace(/\s+/g, ' ')}`;
  if (rule.kind === 'api' ? res.status === 401 : (res.status === 302 || res.status === 303) && /^\/login(\?(next=|reason=(deactivated|expired))|$)/.test(location)) return { decision: 'sign_in', detail };
  if (res.status === 403 && (text.includes('This page is only for') || /"code":"forbidden_role"/.test(text))) return { decision: 'forbidden', detail };
  return { decision: 'allow', detail };
}

test('the route × role table, over HTTP (leaderboard members-only, then public)', async (t) => {
  const app = await withApp();
  const s = app.running.services;
  await app.createUser('target');
  let as = await clients(app);
  const keys = registeredRoutes(createRouters(s));
  for (const leaderboardPublic of [false, true]) {
    if (leaderboardPublic) {
      await saveSettings(s.db, s.cfg, { leaderboard_visibility: 'public' }, CLI_ACTOR);
      await s.refreshSettings();
    }
    for (const key of keys) {
      const rule = ACCESS[key];
      for (const who of AUDIENCES) {
        const expected = decide(rule, who, leaderboardPublic);
        const got = await outcome(app, key, rule, as[who]);
        t.is(got.decision, expected, `${key} as ${who}${leaderboardPublic ? ' (public leaderboard)' : ''}: ${got.detail}`);
      }
      // These end the sessions they were sent with (on the server, not just in the cookie):
      // the next routes need fresh ones.
      if (key === 'POST /logout' || key === 'POST /settings/sign-out-everywhere') as = await clients(app, `${key.length}${leaderboardPublic}`);
    }
  }
  await app.stop();
});

test('decide(): anonymous and deactivated are sent to sign in, a wrong role is forbidden', (t) => {
  const rule: Rule = { kind: 'page', allow: ['manager', 'admin'] };
  t.is(decide(rule, 'anonymous', false), 'sign_in');
  t.is(decide(rule, 'deactivated', false), 'sign_in');
  t.is(decide(rule, 'member', false), 'forbidden');
  t.is(decide(rule, 'manager', false), 'allow');
  t.is(decide({ kind: 'page', allow: ['member'], publicWith: 'leaderboard' }, 'anonymous', true), 'allow');
  t.is(decide({ kind: 'open', allow: [] }, 'anonymous', false), 'allow');
});

test('JSON routes: 401 JSON when anonymous; an agent token as Bearer signs in scripts; htmx gets HX-Redirect', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const agent = await app.createToken((await app.createUser('scripter')).login);
  const anon = await fetch(`${app.url}/api/v1/leaderboard`);
  t.is(anon.status, 401);
  t.is((await anon.json() as { code: string }).code, 'unauthorized');
  const ok = await fetch(`${app.url}/api/v1/leaderboard`, { headers: { authorization: `Bearer ${agent.token}` } });
  t.is(ok.status, 200);
  t.is(ok.headers.get('cache-control'), 'no-store');
  t.is((await fetch(`${app.url}/api/v1/leaderboard`, { headers: { authorization: 'Bearer tbk_nope' } })).status, 401);
  await deactivateUser(app.running.services.db, 'scripter', CLI_ACTOR);
  t.is((await fetch(`${app.url}/api/v1/leaderboard`, { headers: { authorization: `Bearer ${agent.token}` } })).status, 401);

  const hx = await app.browser().htmx('/?metric=messages');
  t.is(hx.status, 401);
  t.is(hx.headers.get('hx-redirect'), '/login?next=%2F%3Fmetric%3Dmessages');
});
