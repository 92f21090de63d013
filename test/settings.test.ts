// /settings over HTTP: create a token (shown once, with the set-up line filled in), list
// with last use, revoke (only one's own), the hide-me and public-badge toggles.
import test from 'ava';
import { withApp, postIngest, event, type Browser, type TestApp } from './helpers/app.ts';
import { userByLogin } from './helpers/db.ts';
import { listTokens } from '../src/users/tokens.ts';

let app: TestApp;
// One session (sam) shared by the tests: they run one at a time, as one browser tab would.
let sam: Browser;
test.before(async () => {
  app = await withApp({ 'server.base_url': 'https://tb.example.com' });
  sam = await app.signIn('sam');
});
test.after.always(async () => { await app?.stop(); });

const secretIn = (html: string) => /--token ([A-Za-z0-9_-]+)/.exec(html)?.[1] ?? null;

test.serial('create a token: POST → 303 → the page shows it once, in one set-up block; a reload shows it no more', async (t) => {
  t.is((await app.browser().get('/settings')).status, 302, 'sign-in first');
  const page = await sam.get('/settings');
  t.is(page.status, 200);
  t.regex(page.text, /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:4000/);
  t.regex(page.text, /OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:4000\/v1/);
  t.regex(page.text, /--token TOKEN\n/, 'before a token exists, TOKEN stands for it');
  t.is((await sam.post('/settings/tokens', { name: 'laptop' }, { csrf: false })).status, 403, 'CSRF token required');

  const made = await sam.post('/settings/tokens', { name: 'laptop' });
  t.is(made.status, 303, 'post/redirect/get: a reload of the page repeats nothing');
  t.is(made.location, '/settings#setup');
  t.is(secretIn(made.text), null, 'the redirect itself carries no token');
  // The token rides in the session cookie only sealed: its plain text is in no cookie.
  const jar = [...sam.jar.values()].map((v) => `${v} ${Buffer.from(v, 'base64').toString('utf8')}`).join(' ');
  const shown = await sam.get('/settings');
  t.is(shown.status, 200);
  t.is(shown.headers.get('cache-control'), 'no-store');
  const token = secretIn(shown.text);
  t.truthy(token);
  t.false(jar.includes(token!), 'not in the cookie in plain text');
  const me = (await userByLogin(app.running.services.db, 'sam'))!;
  // One block, in the order it is run: download, login, collect, service install.
  const block = /<pre id="setup-lines"[^>]*><code>([\s\S]*?)<\/code><\/pre>/.exec(shown.text)?.[1];
  t.is(block, [
    'curl -fsSL https://tb.example.com/agent/tokenboard-agent.mjs -o tokenboard-agent.mjs',
    `node tokenboard-agent.mjs login --server https://tb.example.com --user ${me.id} --token ${token}`,
    'node tokenboard-agent.mjs collect',
    'node tokenboard-agent.mjs service install',
  ].join('\n'));
  t.false(shown.text.includes('--token TOKEN'), 'no second, generic block with TOKEN after the filled one');
  t.regex(shown.text, /<code>node tokenboard-agent\.mjs run<\/code> instead/);
  t.regex(shown.text, /data-copy="setup-lines" hidden>Copy/);
  t.true(shown.text.includes(`OTEL_EXPORTER_OTLP_HEADERS=&quot;Authorization=Bearer ${token}&quot;`));
  t.regex(shown.text, /export CLAUDE_CODE_ENABLE_TELEMETRY=1\nexport OTEL_METRICS_EXPORTER=otlp/);

  // The token works, and the list shows when it was last used; the secret is never shown again.
  t.is((await postIngest(app.url, { user_id: me.id, token: token! }, { events: [event()] })).status, 200);
  const again = await sam.get('/settings');
  t.false(again.text.includes(token!), 'a reload does not show it again');
  t.regex(again.text, /--token TOKEN\n/);
  const row = /<tr data-token="laptop">[\s\S]*?<\/tr>/.exec(again.text)![0];
  t.regex(row, /\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td>/, 'created and last used');
});

test.serial('a refused token name comes back on its field, as typed; nothing is created', async (t) => {
  const { db } = app.running.services;
  const me = (await userByLogin(db, 'sam'))!;
  const long = 'x'.repeat(65);
  const r = await sam.post('/settings/tokens', { name: long });
  t.is(r.status, 400);
  t.regex(r.text, /class="field-error" id="token-error" role="alert">name: a token name is 1-64 printable characters/);
  t.true(r.text.includes(`value="${long}" aria-invalid="true"`));
  t.is((await listTokens(db, me.id)).filter((r) => r.name === long).length, 0);
});

test.serial('the badge embed sits beside its opt-in: Markdown and HTML with this server\'s address', async (t) => {
  const r = await sam.get('/settings');
  const privacy = /<section class="card" id="privacy">[\s\S]*?<\/section>/.exec(r.text)![0];
  t.true(privacy.includes('[![AI tokens](https://tb.example.com/u/sam/badge.svg)](https://tb.example.com/u/sam)'));
  t.true(privacy.includes('&lt;a href=&quot;https://tb.example.com/u/sam&quot;&gt;&lt;img src=&quot;https://tb.example.com/u/sam/badge.svg&quot; alt=&quot;AI tokens&quot;&gt;&lt;/a&gt;'), 'escaped as text');
  t.regex(privacy, /once “Public badge” is on/);
});

test.serial('revoke: own tokens only; a revoked token no longer signs', async (t) => {
  t.is((await sam.post('/settings/tokens', { name: 'old-box' })).status, 303);
  const token = secretIn((await sam.get('/settings')).text)!;
  const me = (await userByLogin(app.running.services.db, 'sam'))!;
  const row = (await listTokens(app.running.services.db, me.id)).find((r) => r.name === 'old-box')!;

  const other = await app.signIn('tia');
  t.is((await other.post(`/settings/tokens/${row.id}/revoke`)).status, 404, 'not someone else’s token');

  const done = await sam.post(`/settings/tokens/${row.id}/revoke`);
  t.is(done.status, 303);
  t.is(done.location, '/settings?done=revoked');
  t.regex((await sam.get('/settings?done=revoked')).text, /Token revoked/);
  t.is((await postIngest(app.url, { user_id: me.id, token }, { events: [event()] })).status, 401);
  t.is((await sam.post(`/settings/tokens/${row.id}/revoke`)).status, 404, 'already revoked');
});

test.serial('hide me and public badge toggles', async (t) => {
  const { db } = app.running.services;
  const r = await sam.post('/settings/preferences', { hidden: 'on', public_badge: 'on' });
  t.is(r.status, 303);
  let me = (await userByLogin(db, 'sam'))!;
  t.true(me.hidden);
  t.true(me.public_badge);
  t.regex((await sam.get('/settings')).text, /name="hidden" checked/);
  // Unchecked boxes are absent from the form: both off again.
  await sam.post('/settings/preferences', {});
  me = (await userByLogin(db, 'sam'))!;
  t.false(me.hidden);
  t.false(me.public_badge);
});
