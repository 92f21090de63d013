// /admin/users and /admin/tokens over HTTP: search, role change, deactivate/reactivate,
// delete with typed confirmation, sign-in links, token revocation; inline errors; roles; CSRF.
import test from 'ava';
import { withApp, type TestApp, type Browser } from './helpers/app.ts';
import { addUser } from '../src/users/users.ts';
import { userByLogin } from './helpers/db.ts';

const cli = { userId: null, login: 'cli' };
let app: TestApp;
let admin: Browser;

test.before(async () => {
  app = await withApp();
  const { db } = app.running.services;
  await addUser(db, { login: 'ana', name: 'Ana <script>x</script>', email: 'ana@acme.dev' }, cli);
  await addUser(db, { login: 'ben', name: 'Ben Ode' }, cli);
  await addUser(db, { login: 'cy' }, cli);
  await addUser(db, { login: 'dee' }, cli);
  await app.createToken('ana', 'laptop');
  await app.createToken('ben', 'desk');
  admin = await app.signIn('root', 'admin');
});
test.after.always(async () => { await app?.stop(); });

const role = async (login: string) => (await userByLogin(app.running.services.db, login))?.role;

test.serial('users page lists people with last seen and live tokens; search by login, name or email; names escaped', async (t) => {
  const r = await admin.get('/admin/users');
  t.is(r.status, 200);
  for (const login of ['ana', 'ben', 'cy', 'root']) t.true(r.text.includes(`data-login="${login}"`), login);
  t.false(r.text.includes('<script>x</script>'));
  t.true(r.text.includes('Ana &lt;script&gt;x&lt;/script&gt;'));
  t.regex(r.text, /data-login="ana"[\s\S]*?<td data-label="Last seen">never<\/td>\s*<td class="num" data-label="Live tokens">1<\/td>/);
  t.regex(r.text, /data-login="root"[\s\S]*?<td data-label="Last seen">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/td>/, 'root signed in: last seen is known');
  const byEmail = await admin.get('/admin/users?q=ACME.dev');
  t.true(byEmail.text.includes('data-login="ana"'));
  t.false(byEmail.text.includes('data-login="ben"'));
  const byName = await admin.get('/admin/users?q=ode');
  t.true(byName.text.includes('data-login="ben"'));
  t.false(byName.text.includes('data-login="ana"'));
});

test.serial('role change: form (303) and htmx (the row comes back); your own admin role cannot be taken away, inline', async (t) => {
  const r = await admin.post('/admin/users/cy/role', { role: 'manager' });
  t.is(r.status, 303);
  t.is(r.location, '/admin/users?done=role#user-cy');
  t.is(await role('cy'), 'manager');
  t.regex((await admin.get(r.location!)).text, /<p class="flash" role="status">Role changed\.<\/p>/);
  const hx = await admin.htmx('/admin/users/cy/role', 'POST', { role: 'admin' });
  t.is(hx.status, 200);
  t.true(hx.text.trimStart().startsWith('<tr id="user-cy"'));
  t.regex(hx.text, /<option value="admin" selected>/);
  t.regex(hx.text, /<span class="saved" role="status">✓ Role saved<\/span>/, 'the row says it is saved');
  t.is(await role('cy'), 'admin');
  const bad = await admin.post('/admin/users/cy/role', { role: 'boss' });
  t.is(bad.status, 400);
  t.regex(bad.text, /data-login="cy"[\s\S]*?class="field-error" role="alert">role: &quot;boss&quot; is not a role/);
  const self = await admin.htmx('/admin/users/root/role', 'POST', { role: 'member' });
  t.is(self.status, 200);
  t.regex(self.text, /field-error[^>]*>you cannot take away your own admin role/);
  t.false(self.text.includes('Role saved'), 'a refusal is not a save');
  t.is(await role('root'), 'admin');
  const selfPlain = await admin.post('/admin/users/root/deactivate');
  t.is(selfPlain.status, 403, 'the domain\'s refusal keeps its status');
  t.regex(selfPlain.text, /data-login="root"[\s\S]*?field-error" role="alert">you cannot deactivate yourself/);
  const ghost = await admin.post('/admin/users/nobody/role', { role: 'member' });
  t.is(ghost.status, 404);
  t.regex(ghost.text, /class="form-error" role="alert">no user with login &quot;nobody&quot;/);
});

test.serial('deactivate revokes tokens, reactivate; tokens page shows owners and revokes', async (t) => {
  const off = await admin.post('/admin/users/ben/deactivate');
  t.is(off.status, 303);
  const list = await admin.get('/admin/users?q=ben');
  t.regex(list.text, /data-login="ben"[\s\S]*?deactivated[\s\S]*?<td class="num" data-label="Live tokens">0<\/td>/);
  const tokens = await admin.get('/admin/tokens');
  t.regex(tokens.text, /<a href="\/u\/ben">ben<\/a> <span class="pill">deactivated<\/span><\/td>\s*<td>desk<\/td>[\s\S]*?revoked/);
  const on = await admin.htmx('/admin/users/ben/reactivate', 'POST', {});
  t.regex(on.text, /<span class="pill trust-measured">active<\/span> <span class="saved" role="status">✓ Reactivated<\/span>/);
  t.true((await userByLogin(app.running.services.db, 'ben'))!.active);

  const ana = /id="token-(\d+)" data-token="\d+">\s*<td><a href="\/u\/ana">ana<\/a><\/td>\s*<td>laptop<\/td>/.exec(tokens.text);
  t.truthy(ana);
  const revoke = await admin.htmx(`/admin/tokens/${ana![1]}/revoke`, 'POST', {});
  t.is(revoke.status, 200);
  t.regex(revoke.text, /<span class="pill">revoked<\/span>/);
  t.is((await admin.post(`/admin/tokens/${ana![1]}/revoke`)).status, 404, 'already revoked');
});

test.serial('delete needs the login typed; then everything about the person is gone', async (t) => {
  const wrong = await admin.post('/admin/users/dee/delete', { confirm: 'de' });
  t.is(wrong.status, 400);
  t.regex(wrong.text, /data-login="dee"[\s\S]*?field-error" role="alert">confirm: type the login &quot;dee&quot;/);
  t.regex(wrong.text, /name="confirm" autocomplete="off" required aria-invalid="true"/);
  t.truthy(await role('dee'));
  const ok = await admin.post('/admin/users/dee/delete', { confirm: 'dee' });
  t.is(ok.status, 303);
  t.is(await role('dee'), undefined);
  t.false((await admin.get('/admin/users')).text.includes('data-login="dee"'));
});

test.serial('a one-time sign-in link: POST → 303, shown once on the page, never in a URL or a plain cookie', async (t) => {
  const r = await admin.post('/admin/users/ana/login-link');
  t.is(r.status, 303);
  t.is(r.location, '/admin/users#handover');
  const cookies = [...admin.jar.values()].map((v) => Buffer.from(v, 'base64').toString('utf8')).join(' ');
  const shown = await admin.get('/admin/users');
  t.is(shown.headers.get('cache-control'), 'no-store');
  const url = /<pre id="handover-link"[^>]*><code>([^<]+)<\/code>/.exec(shown.text)?.[1].replace(/&amp;/g, '&');
  t.truthy(url);
  t.true(url!.startsWith(`${app.url}/login/link?code=`));
  const code = new URL(url!).searchParams.get('code')!;
  t.false(cookies.includes(code), 'the code is sealed in the session cookie');
  t.false((await admin.get('/admin/users')).text.includes(code), 'a reload shows it no more');
});

test.serial('members and managers get 403; a POST without the CSRF token gets 403', async (t) => {
  for (const who of ['member', 'manager']) {
    const b = await app.signIn(`as-${who}`, who);
    t.is((await b.get('/admin/users')).status, 403);
    t.is((await b.get('/admin')).status, 403);
    t.is((await b.post('/admin/users/cy/role', { role: 'member' })).status, 403);
    t.is((await b.post('/admin/tokens/1/revoke')).status, 403);
  }
  const noCsrf = await admin.post('/admin/users/cy/role', { role: 'member' }, { csrf: false });
  t.is(noCsrf.status, 403);
  t.regex(noCsrf.text, /did not come from this TokenBoard/);
  t.not(await role('cy'), 'member');
});

test.serial('the admin start page links every section', async (t) => {
  const r = await admin.get('/admin');
  t.is(r.status, 200);
  for (const href of ['/admin/users', '/admin/tokens', '/admin/prices', '/admin/imports', '/admin/settings', '/admin/audit']) t.true(r.text.includes(`href="${href}"`), href);
});
