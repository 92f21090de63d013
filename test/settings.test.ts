// /settings over HTTP: create a token (shown once, with the set-up line filled in), list
// with last use, revoke (only one's own), the hide-me and public-badge toggles.
import test from 'ava';
import { withApp, postIngest, event, type Browser, type TestApp } from './helpers/app.ts';
import { userByLogin } from './helpers/db.ts';
import { listTokens } from '../src/users/tokens.ts';

let app: TestApp;
let sam: Browser;
test.before(async () => {
  app = await withApp({ 'server.base_url': 'https://tb.example.com' });
  sam = await app.signIn('sam');
});
test.after.always(async () => { await app?.stop(); });

const secretIn = (html: string) => /--token ([A-Za-z0-9_-]+)/.exec(html)?.[1] ?? null;

test('create a token: shown once with the agent set-up line, then it signs ingest', async (t) => {
  t.is((await app.browser().get('/settings')).status, 302, 'sign-in first');
  const page = await sam.get('/settings');
  t.is(page.status, 200);
  t.regex(page.text, /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:4000/);
  t.regex(page.text, /OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:4000\/v1/);
  t.is((await sam.post('/settings/tokens', { name: 'laptop' }, { csrf: false })).status, 403, 'CSRF token required');

  const made = await sam.post('/settings/tokens', { name: 'laptop' });
  t.is(made.status, 201);
  t.is(made.headers.get('cache-control'), 'no-store');
  const token = secretIn(made.text);
  t.truthy(token);
  const me = (await userByLogin(app.running.services.db, 'sam'))!;
  t.true(made.text.includes(`curl -fsSL https://tb.example.com/agent/tokenboard-agent.mjs -o tokenboard-agent.mjs`));
  t.true(made.text.includes(`node tokenboard-agent.mjs login --server https://tb.example.com --user ${me.id} --token ${token}`));
  t.true(made.text.includes(`OTEL_EXPORTER_OTLP_HEADERS=&quot;Authorization=Bearer ${token}&quot;`));
  t.regex(made.text, /export CLAUDE_CODE_ENABLE_TELEMETRY=1\nexport OTEL_METRICS_EXPORTER=otlp/);

  // The token works, and the list shows when it was last used; the secret is never shown again.
  t.is((await postIngest(app.url, { user_id: me.id, token: token! }, { events: [event()] })).status, 200);
  const again = await sam.get('/settings');
  t.false(again.text.includes(token!));
  const row = /<tr data-token="laptop">[\s\S]*?<\/tr>/.exec(again.text)![0];
  t.regex(row, /\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td>/, 'created and last used');
});

test('revoke: own tokens only; a revoked token no longer signs', async (t) => {
  const made = await sam.post('/settings/tokens', { name: 'old-box' });
  const token = secretIn(made.text)!;
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

test('hide me and public badge toggles', async (t) => {
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
