// Local mode: one-time sign-in links (CLI and first start), sessions (expiry, sign-out,
// deactivation, role changes at once), cookie flags and security headers.
import test from 'ava';
import { createHash } from 'node:crypto';
import { main } from '../src/cli.ts';
import { createLoginLink, LINK_TTL_MS } from '../src/auth/login-links.ts';
import { ABSOLUTE_MS, IDLE_MS, judgeSession, safeNext } from '../src/auth/session-policy.ts';
import { deactivateUser, reactivateUser, setRole } from '../src/admin/users.ts';
import { requireUser } from '../src/users/users.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { Browser, tempDir, withApp, type TestApp } from './helpers/app.ts';
import { count as countUsers } from '../src/db/repos/users.ts';
import { countOfUser as sessionsOf } from '../src/db/repos/web-sessions.ts';
import { rows } from './helpers/db.ts';
import { cliEnv } from './helpers/engine.ts';

async function useLink(b: Browser, url: string) {
  const u = new URL(url);
  const shown = await b.get(u.pathname + u.search);
  const used = await b.post('/login/link', { code: u.searchParams.get('code') ?? '' });
  return { shown, used };
}

test('a one-time link signs in once; a second use, or a copy in another browser, is refused', async (t) => {
  const app = await withApp();
  await app.createUser('alice', 'manager');
  const link = await app.loginLink('alice');
  const b = app.browser();
  const { shown, used } = await useLink(b, link);
  t.is(shown.status, 200);
  t.regex(shown.text, /signs you in as <strong>alice<\/strong>/);
  t.is(used.status, 303);
  t.is(used.location, '/');
  const home = await b.get('/');
  t.is(home.status, 200);
  t.regex(home.text, /href="\/u\/alice"/);

  const again = await useLink(app.browser(), link);
  t.is(again.shown.status, 410);
  t.regex(again.shown.text, /already been used/);
  t.is(again.used.status, 410);
  t.is((await b.get('/')).status, 200, 'the first session is unaffected');
  // The code travels only in the query string, which the access log never writes.
  const code = new URL(link).searchParams.get('code')!;
  t.false(app.logs.join('').includes(code));
  await app.stop();
});

test('a link expires after 15 minutes; showing it does not use it up; unknown codes are refused', async (t) => {
  const app = await withApp();
  const { db } = app.running.services;
  await app.createUser('bob');
  const old = await createLoginLink(db, await requireUser(db, 'bob'), app.url, CLI_ACTOR, Date.now() - LINK_TTL_MS - 1000);
  const stale = await useLink(app.browser(), old.url);
  t.is(stale.shown.status, 410);
  t.regex(stale.shown.text, /expired/);
  t.is(stale.used.status, 410);

  const fresh = await app.loginLink('bob');
  const b = app.browser();
  const u = new URL(fresh);
  t.is((await b.get(u.pathname + u.search)).status, 200);
  t.is((await b.get(u.pathname + u.search)).status, 200, 'a link preview must not burn the link');
  t.is((await b.post('/login/link', { code: u.searchParams.get('code')! })).status, 303);

  const bogus = await useLink(app.browser(), `${app.url}/login/link?code=${'x'.repeat(43)}`);
  t.is(bogus.shown.status, 404);
  t.is(bogus.used.status, 404);
  await app.stop();
});

test('a link of a deactivated person does not sign in', async (t) => {
  const app = await withApp();
  await app.createUser('carol');
  const link = await app.loginLink('carol');
  await deactivateUser(app.running.services.db, 'carol', CLI_ACTOR);
  const r = await useLink(app.browser(), link);
  t.is(r.used.status, 403);
  t.regex(r.used.text, /deactivated/);
  await app.stop();
});

test('tokenboard login-link prints a URL under server.base_url that signs in', async (t) => {
  const dir = tempDir();
  const out: string[] = [];
  const err: string[] = [];
  const env = await cliEnv(dir, { TOKENBOARD_SERVER_BASE_URL: 'https://tb.example.com' });
  const run = (...argv: string[]) => main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  t.is(await run('user', 'add', 'dora'), 0);
  out.length = 0;
  t.is(await run('login-link', 'dora'), 0);
  t.is(out.length, 1);
  t.regex(out[0], /^https:\/\/tb\.example\.com\/login\/link\?code=[A-Za-z0-9_-]{43}$/);
  t.is(await run('login-link', 'nobody'), 1);
  t.regex(err.at(-1)!, /no user with login "nobody"/);

  const app = await withApp({}, dir);
  const r = await useLink(app.browser(), out[0].replace('https://tb.example.com', app.url));
  t.is(r.used.status, 303);
  await app.stop();
});

test('first start in local mode creates admin and logs a one-time link; later starts do not', async (t) => {
  const app = await withApp({}, tempDir(), { firstStartAdmin: true });
  const line = app.logs.find((l) => l.includes('first start in local mode'));
  t.truthy(line);
  const url = /link=(\S+)/.exec(line!)![1];
  const b = app.browser();
  t.is((await useLink(b, url)).used.status, 303);
  const admin = await b.get('/');
  t.regex(admin.text, /href="\/admin"/, 'the first account is an admin');
  const again = await app.restart();
  t.false(again.logs.some((l) => l.includes('first start')));
  t.is(await countUsers(again.running.services.db.sql), 1);
  await again.stop();
});

test('the sign-in page in local mode explains links and how to configure GitHub', async (t) => {
  const app = await withApp();
  const page = await app.browser().get('/login');
  t.is(page.status, 200);
  for (const s of ['login-link LOGIN', 'client_id', 'client_secret', 'api/v3', `${app.url}/auth/github/callback`]) t.true(page.text.includes(s), s);
  t.is((await app.browser().get('/auth/github')).status, 404);
  await app.stop();
});

test('anonymous pages redirect to /login with the way back; sign-out ends the session', async (t) => {
  const app = await withApp();
  const anon = app.browser();
  const r = await anon.get('/?window=7d');
  t.is(r.status, 302);
  t.is(r.location, '/login?next=%2F%3Fwindow%3D7d');
  const b = await app.signIn('erin');
  t.is((await b.get('/login?next=/%3Fwindow%3D7d')).location, '/?window=7d', 'signed in: /login goes on to next');
  t.is((await b.get('/login?next=//evil.example.com')).location, '/', 'never to another site');
  const out = await b.post('/logout');
  t.is(out.status, 303);
  t.is(out.location, '/login?reason=signed_out');
  t.is(b.jar.get('tokenboard.sid'), undefined, 'the cookie is cleared');
  t.is((await b.get('/')).status, 302);
  await app.stop();
});

test('a deactivated person is signed out at their next request; a role change applies at once', async (t) => {
  const app = await withApp();
  const { db } = app.running.services;
  const b = await app.signIn('fay');
  await app.createUser('root', 'admin');
  const rootUser = await requireUser(db, 'root');
  const actor = { userId: rootUser.id, login: 'root' };
  t.notRegex((await b.get('/')).text, /href="\/admin"/);
  await setRole(db, 'fay', 'admin', actor);
  t.regex((await b.get('/')).text, /href="\/admin"/, 'no new sign-in needed');

  const cookie = b.cookie;
  await deactivateUser(db, 'fay', actor);
  const r = await b.get('/');
  t.is(r.status, 302);
  t.is(r.location, '/login?reason=deactivated');
  // Replaying the old cookie does not help either.
  const replay = await fetch(`${app.url}/`, { headers: { cookie }, redirect: 'manual' });
  t.is(replay.status, 302);
  await reactivateUser(db, 'fay', actor);
  t.is((await b.get('/')).status, 302, 'reactivation does not revive the ended session');
  await app.stop();
});

/** The stored session row of a person (sessions live in the database, the cookie holds a random id). */
async function sessionRow(app: TestApp, login: string): Promise<{ id_hash: string; data: Record<string, unknown> }> {
  const db = app.running.services.db;
  const [r] = await rows<{ id_hash: string; data: string }>(db, 'SELECT s.id_hash, s.data FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE u.login = ?', [login]);
  return { id_hash: r.id_hash, data: JSON.parse(r.data) as Record<string, unknown> };
}

test('idle and absolute expiry end a session; a tampered cookie is ignored; the database holds no usable cookie', async (t) => {
  const app = await withApp();
  const db = app.running.services.db;
  const b = await app.signIn('gus');
  const row = await sessionRow(app, 'gus');
  const id = b.jar.get('tokenboard.sid')!;
  t.not(row.id_hash, id, 'only a hash of the cookie\'s id is stored');
  t.is(row.id_hash, createHash('sha256').update(id).digest('hex'));
  const setData = (data: Record<string, unknown>) => db.sql.run('UPDATE web_sessions SET data = ? WHERE id_hash = ?', [JSON.stringify(data), row.id_hash]);
  t.is((await b.get('/')).status, 200);
  const now = Date.now();
  await setData({ ...row.data, seen: now - IDLE_MS - 60_000 });
  const idle = await fetch(`${app.url}/`, { headers: { cookie: b.cookie }, redirect: 'manual' });
  t.is(idle.status, 302);
  t.is(idle.headers.get('location'), '/login?reason=expired');

  const c = await app.signIn('gus');
  const again = await sessionRow(app, 'gus');
  await db.sql.run('UPDATE web_sessions SET data = ? WHERE id_hash = ?', [JSON.stringify({ ...again.data, created: now - ABSOLUTE_MS - 60_000, seen: now }), again.id_hash]);
  t.is((await c.get('/')).status, 302, 'absolute expiry');

  const d = await app.signIn('gus');
  t.is((await d.get('/')).status, 200);
  const tampered = d.cookie.replace(/tokenboard\.sid=[^;]+/, `tokenboard.sid=${'x'.repeat(43)}`);
  t.is((await fetch(`${app.url}/`, { headers: { cookie: tampered }, redirect: 'manual' })).status, 302, 'a tampered cookie is ignored');
  await app.stop();
});

test('logout ends the session for a copied cookie too; "sign out everywhere" ends every session of the person', async (t) => {
  const app = await withApp();
  const laptop = await app.signIn('ivy');
  const phone = await app.signIn('ivy');
  const copied = laptop.cookie;
  t.is((await laptop.post('/logout')).status, 303);
  t.is((await fetch(`${app.url}/`, { headers: { cookie: copied }, redirect: 'manual' })).status, 302, 'the copied cookie is dead');
  t.is((await phone.get('/')).status, 200, 'another session of the same person goes on');

  const desk = await app.signIn('ivy');
  const out = await desk.post('/settings/sign-out-everywhere');
  t.is(out.status, 303);
  t.is(out.location, '/login?reason=signed_out');
  const r = await phone.get('/');
  t.is(r.status, 302);
  t.is(r.location, '/login?reason=signed_out');
  t.is((await desk.get('/')).status, 302);
  t.is(await sessionsOf(app.running.services.db.sql, (await requireUser(app.running.services.db, 'ivy')).id, Date.now()), 0);
  await app.stop();
});

test('session policy and return paths (pure)', (t) => {
  const now = 1_800_000_000_000;
  t.is(judgeSession({}, now), 'anonymous');
  t.is(judgeSession({ uid: 1, created: now - 1000, seen: now - 1000 }, now), 'valid');
  t.is(judgeSession({ uid: 1, created: now - 1000, seen: now - IDLE_MS - 1 }, now), 'idle');
  t.is(judgeSession({ uid: 1, created: now - ABSOLUTE_MS - 1, seen: now }, now), 'expired');
  for (const bad of ['//evil.com', '/\\evil.com', 'https://evil.com', 'x', '/login?next=/', '/auth/github', '/a\nb']) t.is(safeNext(bad), '/', bad);
  t.is(safeNext('/u/alice?window=7d'), '/u/alice?window=7d');
});

test('cookies are httpOnly and SameSite=Lax, Secure behind an https base_url; pages carry the security headers', async (t) => {
  const app = await withApp();
  const res = await fetch(`${app.url}/login`);
  const cookies = res.headers.getSetCookie().join('\n');
  t.regex(cookies, /tokenboard\.sid=[^;]+;.*httponly/i);
  t.regex(cookies, /samesite=lax/i);
  t.notRegex(cookies, /secure/i);
  const csp = res.headers.get('content-security-policy')!;
  t.regex(csp, /default-src 'self'/);
  t.regex(csp, /frame-ancestors 'none'/);
  t.notRegex(csp, /unsafe-inline/);
  t.truthy(res.headers.get('referrer-policy'));
  t.is(res.headers.get('cache-control'), 'no-store');
  const body = await res.text();
  t.notRegex(body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  t.regex(body, /<meta name="htmx-config" content='\{"includeIndicatorStyles": false\}'>/);
  const css = await fetch(`${app.url}/app.css`);
  t.regex(css.headers.get('content-security-policy')!, /default-src 'self'/);
  const b = await app.signIn('hal');
  const home = await b.get('/');
  t.is(home.headers.get('cache-control'), 'no-store');
  t.regex(home.text, new RegExp(`<meta name="csrf-token" content="${b.csrf}">`));
  t.true(home.text.includes(`hx-headers='{"x-csrf-token": "${b.csrf}"}'`));
  await app.stop();

  const tls = await withApp({ 'server.base_url': 'https://tb.example.com' });
  const r2 = await fetch(`${tls.url}/login`);
  t.regex(r2.headers.getSetCookie().join('\n'), /;\s*secure/i);
  await tls.stop();
});
