// /admin/settings and /admin/audit over HTTP: inline errors with the typed values kept,
// saving applies at once (org name in the header, public leaderboard), and the audit log
// filtered by actor and by kind or kind family.
import test from 'ava';
import { withApp, type TestApp, type Browser } from './helpers/app.ts';
import { listAudit } from '../src/admin/audit.ts';

let app: TestApp;
let admin: Browser;

test.before(async () => {
  app = await withApp({ 'org.name': 'Acme' });
  await app.createUser('ana');
  admin = await app.signIn('root', 'admin');
});
test.after.always(async () => { await app?.stop(); });

const form = { name: 'Acme Corp', timezone: 'Europe/Berlin', leaderboard_visibility: 'public', retention_days: '90' };

test.serial('settings: a bad value comes back on its field, with everything else as typed; nothing saved', async (t) => {
  const page = await admin.get('/admin/settings');
  t.is(page.status, 200);
  t.regex(page.text, /name="name" value="Acme"/);
  t.regex(page.text, /name="timezone" value="UTC"/);
  t.regex(page.text, /value="members" checked/);

  const tz = await admin.post('/admin/settings', { ...form, timezone: 'Mars/Olympus' });
  t.is(tz.status, 400);
  t.regex(tz.text, /name="timezone" value="Mars\/Olympus" list="zones" required autocomplete="off" aria-invalid="true" aria-describedby="err-timezone">\s*<span class="field-error" id="err-timezone" role="alert">timezone: &quot;Mars\/Olympus&quot; is not an IANA time zone/);
  t.regex(tz.text, /name="name" value="Acme Corp"/);
  t.regex(tz.text, /value="public" checked/);
  const keep = await admin.post('/admin/settings', { ...form, retention_days: '5' });
  t.is(keep.status, 400);
  t.regex(keep.text, /id="err-retention_days" role="alert">retention_days: a whole number of days, at least 30/);
  const name = await admin.post('/admin/settings', { ...form, name: '' });
  t.regex(name.text, /id="err-name" role="alert">name: 1-80 printable characters/);
  t.is(app.running.services.settings().name, 'Acme');
  t.is((await app.browser().get('/')).status, 302, 'still members only');
});

test.serial('settings: saving applies at once — org name in the header, time zone, public leaderboard', async (t) => {
  const r = await admin.post('/admin/settings', form);
  t.is(r.status, 303);
  t.is(r.location, '/admin/settings?done=saved');
  const page = await admin.get(r.location!);
  t.regex(page.text, /Settings saved\./);
  t.regex(page.text, /<span class="org">Acme Corp<\/span>/);
  t.like(app.running.services.settings(), { name: 'Acme Corp', timezone: 'Europe/Berlin', leaderboard_visibility: 'public', retention_days: 90 });
  t.is(app.running.services.calendar().timeZone, 'Europe/Berlin');
  t.is((await app.browser().get('/')).status, 200, 'the leaderboard is public now');
  const back = await admin.post('/admin/settings', { ...form, leaderboard_visibility: 'members', retention_days: '' });
  t.is(back.status, 303);
  t.like(app.running.services.settings(), { leaderboard_visibility: 'members', retention_days: null });
});

test.serial('audit log: every admin action, filtered by actor and by kind or kind family', async (t) => {
  await admin.post('/admin/users/ana/role', { role: 'manager' });
  await admin.post('/admin/prices', { mode: 'add', model: 'acme-x', input: '1', output: '2' });
  const all = await admin.get('/admin/audit');
  t.is(all.status, 200);
  for (const kind of ['settings.update', 'user.role', 'price.set', 'user.add']) t.true(all.text.includes(`data-kind="${kind}"`), kind);
  // In plain words, the recorded details one click away.
  t.regex(all.text, /data-kind="user\.role">\s*<td class="nowrap">[^<]+<\/td>\s*<td><span class="sentence">root changed ana’s role from member to manager<\/span>\s*<details class="audit-details"><summary>Details<\/summary><dl><dt>Actor<\/dt><dd>root<\/dd><dt>Target<\/dt><dd>ana<\/dd><dt>Recorded<\/dt><dd><code>\{&quot;before&quot;:&quot;member&quot;,&quot;after&quot;:&quot;manager&quot;\}<\/code>/);
  t.regex(all.text, /<span class="sentence">root priced acme-x at input \$1, output \$2 per million tokens<\/span>/);
  t.regex(all.text, /<span class="sentence">root changed the org name from “Acme” to “Acme Corp”, the time zone from “UTC” to “Europe\/Berlin”/);
  t.regex(all.text, /<option value="price\.\*">price\.\*<\/option>/);

  const byRoot = await admin.get('/admin/audit?actor=root&kind=user.role');
  t.deepEqual([...byRoot.text.matchAll(/data-kind="([^"]+)"/g)].map((m) => m[1]), ['user.role']);
  const family = await admin.get('/admin/audit?kind=price.*');
  t.deepEqual([...new Set([...family.text.matchAll(/data-kind="([^"]+)"/g)].map((m) => m[1]))], ['price.set']);
  const cli = await admin.get('/admin/audit?actor=cli');
  t.true(cli.text.includes('data-kind="user.add"'));
  t.false(cli.text.includes('data-kind="settings.update"'));

  const frag = await admin.request('GET', '/admin/audit?kind=settings.update', undefined, { 'hx-request': 'true', 'hx-target': 'audit-table' });
  t.regex(frag.text.trimStart(), /^<div id="audit-table"/);
  t.regex(frag.headers.get('vary') ?? '', /HX-Request/i);

  // The domain function behind it.
  const rows = await listAudit(app.running.services.db, { actor: 'root', kind: 'settings.*', limit: 1 });
  t.is(rows.length, 1);
  t.is(rows[0].kind, 'settings.update');
  t.like(rows[0].details as object, { after: { leaderboard_visibility: 'members' } });
});

test.serial('members get 403 on settings and audit; saving without the CSRF token gets 403', async (t) => {
  const member = await app.signIn('mo', 'member');
  t.is((await member.get('/admin/settings')).status, 403);
  t.is((await member.get('/admin/audit')).status, 403);
  t.is((await member.post('/admin/settings', form)).status, 403);
  t.is((await admin.post('/admin/settings', { ...form, name: 'Hijacked' }, { csrf: false })).status, 403);
  t.not(app.running.services.settings().name, 'Hijacked');
});
