// GitHub sign-in against a fake GitHub on loopback: github.com layout and Enterprise Server
// (/api/v3), org membership (member, non-member, pending, SAML), OAuth state, identity by
// numeric id, teams and config roles, `user add --github` linking, and the later re-check.
import test from 'ava';
import { addUser, findUser, requireUser } from '../src/users/users.ts';
import { deactivateUser } from '../src/admin/users.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { RECHECK_MS } from '../src/auth/membership.ts';
import { event, postIngest, withApp, type TestApp } from './helpers/app.ts';
import { fakeGithub, githubConfig, githubSignIn, type FakeUser } from './helpers/fake-github.ts';
import { rows, updateUser } from './helpers/db.ts';
import { count as countUsers } from '../src/db/repos/users.ts';

const ORG = 'acme';

async function setup(t: { teardown(fn: () => Promise<void>): void }, opts: { prefix?: string; config?: Record<string, unknown> } = {}) {
  const gh = await fakeGithub(opts.prefix ?? '');
  const app = await withApp(githubConfig(gh, ORG, opts.config));
  t.teardown(async () => { await app.stop(); await gh.close(); });
  return { gh, app };
}

const member = (id: number, login: string, extra: Partial<FakeUser> = {}): FakeUser => ({ id, login, orgs: { [ORG]: 'active' }, ...extra });

test('a member signs in: scopes and state, profile, primary verified email, org teams, manager by team', async (t) => {
  const { gh, app } = await setup(t, { config: { 'auth.manager_teams': ['leads'] } });
  const alice = member(101, 'Alice', {
    name: 'Alice A', avatar_url: 'https://avatars.example/101',
    emails: [{ email: 'old@example.com', primary: false, verified: true }, { email: 'alice@acme.example', primary: true, verified: true }],
    teams: [{ org: ORG, slug: 'Leads' }, { org: ORG, slug: 'web' }, { org: 'other-org', slug: 'ghosts' }],
  });
  const login = await app.browser().get('/login?next=/settings');
  t.true(login.text.includes('href="/auth/github?next=%2Fsettings"'), 'the sign-in page offers GitHub');
  t.regex(login.text, /Only members of <strong>acme<\/strong>/);
  const { b, start, final } = await githubSignIn(app, gh, alice, '/settings');
  const auth = new URL(start.location!);
  t.is(`${auth.origin}${auth.pathname}`, `${gh.webUrl}/login/oauth/authorize`);
  t.deepEqual(auth.searchParams.get('scope')!.split(','), ['read:user', 'user:email', 'read:org']);
  t.true((auth.searchParams.get('state') ?? '').length >= 16);
  t.is(final.status, 302);
  t.is(final.location, '/settings');
  const home = await b.get('/');
  t.is(home.status, 200);
  t.regex(home.text, /href="\/team"/, 'a manager through the leads team');

  const u = await requireUser(app.running.services.db, 'alice');
  t.like(u, { github_id: 101, login: 'Alice', login_key: 'alice', name: 'Alice A', avatar_url: 'https://avatars.example/101', email: 'alice@acme.example', role: 'manager' });
  t.deepEqual(u.teams, ['leads', 'web']);
  const paths = gh.requests.map((r) => r.path);
  for (const p of ['/user', '/user/emails', `/user/memberships/orgs/${ORG}`, '/user/teams']) t.true(paths.includes(p), p);
  const logs = app.logs.join('');
  t.false(/gho_|code=|state=/.test(logs), 'no token, code or state in the logs');
  t.false(JSON.stringify(await rows(app.running.services.db, 'SELECT token_enc FROM github_tokens')).includes('gho_'), 'the GitHub token is stored sealed');
});

test('GitHub Enterprise Server: the API under /api/v3 of the same host', async (t) => {
  const { gh, app } = await setup(t, { prefix: '/api/v3', config: { 'auth.admins': ['eve'] } });
  const { b, final } = await githubSignIn(app, gh, member(7, 'Eve'));
  t.is(final.status, 302);
  t.regex((await b.get('/')).text, /href="\/admin"/, 'admin from auth.admins, case-insensitively');
  const paths = gh.requests.map((r) => r.path);
  t.true(paths.includes('/api/v3/user'));
  t.true(paths.includes(`/api/v3/user/memberships/orgs/${ORG}`));
  t.true(paths.includes('/login/oauth/access_token'));
  t.false(paths.includes('/user'), 'nothing outside the API prefix');
});

test('a non-member is refused with a clear page and gets no session and no account', async (t) => {
  const { gh, app } = await setup(t);
  const { b, final } = await githubSignIn(app, gh, { id: 200, login: 'mallory', orgs: { 'other-org': 'active' } });
  t.is(final.status, 403);
  t.regex(final.text, /You are not a member of acme/);
  t.is((await b.get('/')).status, 302);
  t.is(await countUsers(app.running.services.db.sql), 0);

  const pending = await githubSignIn(app, gh, { id: 201, login: 'newbie', orgs: { [ORG]: 'pending' } });
  t.is(pending.final.status, 403);
  t.regex(pending.final.text, /invitation to acme is pending/);
});

test('SAML SSO not authorized: refused, told to authorize the app for the org, with GitHub\'s link', async (t) => {
  const { gh, app } = await setup(t);
  const { b, final } = await githubSignIn(app, gh, member(300, 'sam', { saml: [ORG] }));
  t.is(final.status, 403);
  t.regex(final.text, /Authorize TokenBoard for acme&#39;s single sign-on/);
  t.true(final.text.includes(`href="${gh.webUrl}/orgs/acme/sso?authorization_request=abc"`));
  t.is((await b.get('/')).status, 302);
});

test('a callback whose state does not match is refused before any token exchange', async (t) => {
  const { gh, app } = await setup(t);
  gh.approveAs(member(400, 'victim'));
  const b = app.browser();
  const start = await b.get('/auth/github');
  const authorize = await fetch(start.location!, { redirect: 'manual' });
  const cb = new URL(authorize.headers.get('location')!);
  cb.searchParams.set('state', 'forged-state-value');
  const forged = await b.get(cb.pathname + cb.search);
  t.is(forged.status, 403);
  t.regex(forged.text, /could not be verified/);
  // The genuine callback in another browser (no state in its session) fails the same way.
  const real = new URL(authorize.headers.get('location')!);
  const elsewhere = await app.browser().get(real.pathname + real.search);
  t.is(elsewhere.status, 403);
  t.is(gh.tokenExchanges, 0);
  t.is((await b.get('/')).status, 302);
});

test('a renamed login keeps its account and history; someone taking the old name gets a new account', async (t) => {
  const { gh, app } = await setup(t);
  t.is((await githubSignIn(app, gh, member(500, 'bob'))).final.status, 302);
  const agent = await app.createToken('bob');
  t.is((await postIngest(app.url, agent, { events: [event(), event()] })).status, 200);
  const renamed = await githubSignIn(app, gh, member(500, 'robert'));
  t.is(renamed.final.status, 302);
  const { db } = app.running.services;
  t.is((await requireUser(db, 'robert')).id, agent.user_id);
  t.is((await app.stats('robert')).events, 2);
  t.is(await findUser(db, 'bob'), null);
  t.is((await postIngest(app.url, agent, { events: [event()] })).status, 200, 'the agent token keeps working');

  const newcomer = await githubSignIn(app, gh, member(501, 'bob'));
  t.is(newcomer.final.status, 302);
  const bob2 = await requireUser(db, 'bob');
  t.not(bob2.id, agent.user_id);
  t.is((await app.stats('bob')).events, 0);
});

test('`user add --github` is claimed by the first GitHub sign-in with that login; a plain local account is not', async (t) => {
  const { gh, app } = await setup(t);
  const { db } = app.running.services;
  const carol = await addUser(db, { login: 'carol', role: 'admin', github: true }, CLI_ACTOR);
  const r = await githubSignIn(app, gh, member(600, 'carol'));
  t.is(r.final.status, 302);
  const after = await requireUser(db, 'carol');
  t.is(after.id, carol.id);
  t.is(after.github_id, 600);
  t.is(after.role, 'admin');
  t.false(after.link_github);

  await addUser(db, { login: 'dan', role: 'admin' }, CLI_ACTOR);
  const taken = await githubSignIn(app, gh, member(601, 'dan'));
  t.is(taken.final.status, 409);
  t.regex(taken.final.text, /already exists/);
  t.is((await requireUser(db, 'dan')).github_id, null);
  t.is((await taken.b.get('/')).status, 302);
});

test('a deactivated GitHub user cannot sign in', async (t) => {
  const { gh, app } = await setup(t);
  await githubSignIn(app, gh, member(700, 'frank'));
  await deactivateUser(app.running.services.db, 'frank', CLI_ACTOR);
  const again = await githubSignIn(app, gh, member(700, 'frank'));
  t.is(again.final.status, 403);
  t.regex(again.final.text, /deactivated/);
});

test('membership is re-checked once it is older than the window: removed from the org → access lost', async (t) => {
  const { gh, app } = await setup(t);
  const { db } = app.running.services;
  const grace = member(800, 'grace');
  const { b } = await githubSignIn(app, gh, grace);
  const checks = () => gh.requests.filter((r) => r.path === `/user/memberships/orgs/${ORG}`).length;
  const before = checks();
  t.is((await b.get('/')).status, 200);
  t.is(checks(), before, 'no call to GitHub inside the window');

  delete grace.orgs![ORG]; // removed from the org on GitHub
  t.is((await b.get('/')).status, 200, 'still inside the window');
  await updateUser(db, 'grace', { membership_checked_at: new Date(Date.now() - RECHECK_MS - 60_000) });
  const lost = await b.get('/');
  t.is(lost.status, 403);
  t.regex(lost.text, /You are not a member of acme/);
  t.is(checks(), before + 1);
  t.is((await b.get('/')).status, 302, 'signed out');
});

test('when GitHub cannot answer the re-check, access continues and the check is retried later', async (t) => {
  const { gh, app } = await setup(t);
  const { db } = app.running.services;
  const { b } = await githubSignIn(app, gh, member(900, 'heidi'));
  await updateUser(db, 'heidi', { membership_checked_at: new Date(Date.now() - RECHECK_MS - 60_000) });
  gh.down = true;
  t.is((await b.get('/')).status, 200);
  t.true(app.logs.some((l) => l.includes('membership re-check postponed')));
  gh.down = false;
  const stamp = (await requireUser(db, 'heidi')).membership_checked_at;
  t.true(Date.now() - new Date(stamp!).getTime() > RECHECK_MS, 'not marked as checked while GitHub was down');
});
