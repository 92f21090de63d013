// Adding people from /admin/users over HTTP: one person (local mode: a one-time link to hand
// over, which signs them in with the role given; GitHub mode: no link, their first GitHub
// sign-in claims the account and its role), refusals on their field, a pasted list (all or
// nothing, with line numbers), the audit log, CSRF and roles.
import test from 'ava';
import { withApp, type Browser, type TestApp } from './helpers/app.ts';
import { fakeGithub, githubConfig, githubSignIn } from './helpers/fake-github.ts';
import { userByLogin } from './helpers/db.ts';
import { byGithubId } from '../src/db/repos/users.ts';

let app: TestApp;
let admin: Browser;
test.before(async () => {
  app = await withApp();
  admin = await app.signIn('root', 'admin');
});
test.after.always(async () => { await app?.stop(); });

const user = (login: string) => userByLogin(app.running.services.db, login);
const linkIn = (html: string) => /<pre id="handover-link"[^>]*><code>([^<]+)<\/code>/.exec(html)?.[1].replace(/&amp;/g, '&') ?? null;

/** Uses a one-time link as its recipient would: a fresh browser, the page, the button. */
async function useLink(url: string): Promise<Browser> {
  const b = app.browser();
  const u = new URL(url);
  if ((await b.get(u.pathname + u.search)).status !== 200) throw new Error('the link page did not open');
  const done = await b.post('/login/link', { code: u.searchParams.get('code')! });
  if (done.status !== 303) throw new Error(`using the link answered ${done.status}`);
  return b;
}

test.serial('local mode: add a person, hand over the link, they are in with the role given', async (t) => {
  const page = await admin.get('/admin/users');
  t.regex(page.text, /<form class="edit-form" method="post" action="\/admin\/users" id="add">/);
  t.regex(page.text, />Add and get a sign-in link</);

  const r = await admin.post('/admin/users', { login: 'nia', name: 'Nia Obi', email: 'nia@acme.dev', role: 'manager' });
  t.is(r.status, 303);
  t.is(r.location, '/admin/users#handover');
  const shown = await admin.get('/admin/users');
  t.regex(shown.text, /<h2 id="handover-title">nia is added as manager: hand over this sign-in link<\/h2>/);
  const url = linkIn(shown.text);
  t.truthy(url);
  t.true(url!.startsWith(`${app.url}/login/link?code=`));
  t.false((await admin.get('/admin/users')).text.includes(url!), 'shown once');
  t.like((await user('nia'))!, { name: 'Nia Obi', email: 'nia@acme.dev', role: 'manager', link_github: false });

  // The link signs Nia in, as a manager: the team page is hers.
  const nia = await useLink(url!);
  t.is((await nia.get('/team')).status, 200);
  t.is((await nia.get('/admin')).status, 403);

  const audit = await admin.get('/admin/audit');
  t.regex(audit.text, /root added nia as manager/);
  t.regex(audit.text, /root sent nia a sign-in link/);
});

test.serial('a refused person comes back on its field with what was typed; nothing is made', async (t) => {
  const bad = await admin.post('/admin/users', { login: 'no spaces', name: 'Ana <b>', email: '', role: 'member' });
  t.is(bad.status, 400);
  t.regex(bad.text, /id="add-error" role="alert">login: &quot;no spaces&quot; is not a valid login/);
  t.regex(bad.text, /name="login" value="no spaces" maxlength="39" required[^>]*aria-invalid="true"/);
  t.true(bad.text.includes('value="Ana &lt;b&gt;"'), 'escaped');
  const email = await admin.post('/admin/users', { login: 'ola', name: '', email: 'not-an-email', role: 'member' });
  t.is(email.status, 400);
  t.regex(email.text, /name="email" value="not-an-email"[^>]*aria-invalid="true"/);
  t.is(await user('ola'), null);
  const twice = await admin.post('/admin/users', { login: 'NIA', name: '', email: '', role: 'member' });
  t.is(twice.status, 409);
  t.regex(twice.text, /login: NIA already has an account/);
  const role = await admin.post('/admin/users', { login: 'pia', name: '', email: '', role: 'owner' });
  t.is(role.status, 400);
  t.regex(role.text, /role: &quot;owner&quot; is not a role/);
});

test.serial('a pasted list: one bad line adds nobody and keeps the text; then everyone is added with a link each', async (t) => {
  const list = 'quin\nRae Ro <rae.ro@acme.dev>\nsam,Sam S,sam@acme.dev,admin\nnot valid!\nnia';
  const refused = await admin.post('/admin/users/bulk', { list, role: 'member' });
  t.is(refused.status, 400);
  t.regex(refused.text, /Nobody was added: 1 line needs fixing\./);
  t.regex(refused.text, /<li data-line="4">Line 4 \(<code>not valid!<\/code>\): login: no login or email on this line<\/li>/);
  t.true(refused.text.includes('>quin\nRae Ro &lt;rae.ro@acme.dev&gt;\nsam,Sam S,sam@acme.dev,admin\nnot valid!\nnia</textarea>'), 'the text as pasted');
  t.regex(refused.text, /<details id="bulk" open>/);
  for (const login of ['quin', 'rae-ro', 'sam']) t.is(await user(login), null, `${login} not added`);

  const fixed = list.replace('not valid!\n', '');
  const done = await admin.post('/admin/users/bulk', { list: fixed, role: 'member' });
  t.is(done.status, 200);
  t.regex(done.text, /<h2 id="bulk-title">3 added, 1 already here<\/h2>/);
  for (const login of ['quin', 'rae-ro', 'sam']) t.regex(done.text, new RegExp(`<tr data-added="${login}">[\\s\\S]*?<code class="secret">${app.url.replace(/[.]/g, '\\.')}/login/link\\?code=`));
  t.regex(done.text, /Already had an account, left as they are: nia\./);
  t.like((await user('rae-ro'))!, { name: 'Rae Ro', email: 'rae.ro@acme.dev', role: 'member' });
  t.like((await user('sam'))!, { name: 'Sam S', role: 'admin' });
  t.is((await user('nia'))!.role, 'manager', 'an existing account is left alone');
  // Each link is that person's own.
  const samLink = /<tr data-added="sam">[\s\S]*?<code class="secret">([^<]+)<\/code>/.exec(done.text)![1].replace(/&amp;/g, '&');
  t.is((await (await useLink(samLink)).get('/admin')).status, 200, 'sam is an admin');

  // Sending the same list again adds nobody and makes no new links.
  const again = await admin.post('/admin/users/bulk', { list: fixed, role: 'member' });
  t.regex(again.text, /<h2 id="bulk-title">0 added, 4 already here<\/h2>/);
  t.false(again.text.includes('/login/link?code='));
});

test.serial('only admins add people, and only with the CSRF token', async (t) => {
  const manager = await app.signIn('mo', 'manager');
  t.is((await manager.post('/admin/users', { login: 'x1', name: '', email: '', role: 'admin' })).status, 403);
  t.is((await manager.post('/admin/users/bulk', { list: 'x2', role: 'admin' })).status, 403);
  t.is((await admin.post('/admin/users', { login: 'x3', name: '', email: '', role: 'member' }, { csrf: false })).status, 403);
  const anonymous = await app.browser().post('/admin/users/bulk', { list: 'x4' }, { csrf: false });
  t.is(anonymous.status, 303, 'anonymous: sent to sign in');
  t.regex(anonymous.location ?? '', /^\/login/);
  for (const login of ['x1', 'x2', 'x3', 'x4']) t.is(await user(login), null);
});

test('GitHub mode: no link; the first GitHub sign-in of that login claims the account and its role', async (t) => {
  const gh = await fakeGithub();
  const ghApp = await withApp(githubConfig(gh, 'acme'));
  t.teardown(async () => { await ghApp.stop(); await gh.close(); });
  const root = await ghApp.signIn('root', 'admin');
  const page = await root.get('/admin/users');
  t.regex(page.text, /Members of <strong>acme<\/strong> get in by themselves/);
  t.regex(page.text, />Add person</);

  const r = await root.post('/admin/users', { login: 'Octo', name: '', email: 'octo@acme.dev', role: 'manager' });
  t.is(r.status, 303);
  const shown = await root.get('/admin/users');
  t.regex(shown.text, /<h2 id="handover-title">Octo is added as manager<\/h2>/);
  t.regex(shown.text, /No link needed: Octo signs in with “Sign in with GitHub” as a member of <strong>acme<\/strong>/);
  t.false(shown.text.includes('/login/link?code='));
  const { db } = ghApp.running.services;
  t.true((await userByLogin(db, 'Octo'))!.link_github);

  const { b, final } = await githubSignIn(ghApp, gh, { id: 4242, login: 'octo', orgs: { acme: 'active' } });
  t.is(final.status, 302);
  const octo = (await byGithubId(db.sql, 4242))!;
  t.is(octo.role, 'manager', 'the role given before the first sign-in');
  t.is((await b.get('/team')).status, 200);

  // A pasted list in GitHub mode needs logins: an email alone is refused, not guessed.
  const bulk = await root.post('/admin/users/bulk', { list: 'pat@acme.dev', role: 'member' });
  t.is(bulk.status, 400);
  t.regex(bulk.text, /a GitHub login is needed/);
});
