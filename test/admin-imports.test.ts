// The imports UI against fake Anthropic and OpenAI admin APIs on 127.0.0.1: storing keys
// (shown by their last 4), starting an import that runs in the background while its page
// polls the job row, a refused key as a clear error on the job, assigning unmapped usage,
// resuming a job a restart cut short; roles and CSRF.
import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { withApp, type TestApp, type Browser } from './helpers/app.ts';
import { addUser } from '../src/users/users.ts';
import { settled } from '../src/imports/background.ts';
import { createJob } from '../src/imports/run.ts';

const cli = { userId: null, login: 'cli' };
const KEY = 'sk-ant-admin01-ui-test-key-00004321';
const OPENAI_KEY = 'sk-admin-wrong-key-000000008765';

let app: TestApp;
let admin: Browser;
let fake: { url: string; hits: string[]; hold(): () => void; close(): Promise<void> };

/** One loopback server for both providers' admin APIs; `hold()` parks the usage report until released. */
async function fakeAdminApis() {
  const hits: string[] = [];
  let gate: Promise<void> | null = null;
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url!, 'http://x');
    hits.push(u.pathname + u.search);
    const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (u.pathname.startsWith('/v1/organization/')) return send(401, { error: { message: 'Incorrect API key provided' } });
    if (req.headers['x-api-key'] !== KEY) return send(401, { error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    if (u.pathname === '/v1/organizations/users') return send(200, { data: [], has_more: false });
    if (u.pathname === '/v1/organizations/usage_report/claude_code') return send(200, { data: [], has_more: false, next_page: null });
    if (u.pathname === '/v1/organizations/usage_report/messages') {
      if (gate) await gate;
      return send(200, { data: [{ starting_at: '2026-10-01T00:00:00Z', ending_at: '2026-10-02T00:00:00Z', results: [
        { uncached_input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 0, cache_creation: {}, account_id: null, api_key_id: 'apikey_ana', model: 'claude-haiku-4-5' },
        { uncached_input_tokens: 7, output_tokens: 7, cache_read_input_tokens: 0, cache_creation: {}, account_id: null, api_key_id: 'apikey_ci', model: 'claude-haiku-4-5' },
      ] }], has_more: false, next_page: null });
    }
    send(404, { error: { message: 'no such route' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, hits,
    hold() {
      let release!: () => void;
      gate = new Promise<void>((r) => { release = r; });
      return () => { gate = null; release(); };
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

test.before(async () => {
  fake = await fakeAdminApis();
  app = await withApp({ 'providers.anthropic_api_url': fake.url, 'providers.openai_api_url': fake.url, 'imports.sync_days': 0 });
  const { db } = app.running.services;
  await addUser(db, { login: 'ana' }, cli);
  await addUser(db, { login: 'ci-bot' }, cli);
  admin = await app.signIn('root', 'admin');
  // ana's API key is mapped already; the CI key is not.
  await admin.post('/admin/imports/assign', { kind: 'anthropic_api_key', external_id: 'apikey_ana', login: 'ana' });
});
test.after.always(async () => {
  await app?.stop();
  await fake?.close();
});

const jobOf = (location: string | null) => Number(/^\/admin\/imports\/jobs\/(\d+)$/.exec(location ?? '')?.[1]);
const stat = (html: string, name: string) => new RegExp(`data-stat="${name}">([^<]*)<`).exec(html)?.[1];

test.serial('the page says plainly that Claude Code subscription users are not in these APIs; no key, no import', async (t) => {
  const r = await admin.get('/admin/imports');
  t.is(r.status, 200);
  t.regex(r.text, /Claude Code subscription \(Pro\/Max\) users are not in these APIs/);
  const start = await admin.post('/admin/imports', { provider: 'anthropic', from: '2026-10-01', to: '2026-10-01' });
  t.is(start.status, 400);
  t.regex(start.text, /id="start"[\s\S]*?class="form-error" role="alert">key: store an Anthropic Admin key first/);
  t.regex(start.text, /name="from" value="2026-10-01"/);
});

test.serial('keys: a bad one is refused inline; a saved one shows only its last 4', async (t) => {
  const bad = await admin.post('/admin/imports/keys', { provider: 'anthropic', key: 'short' });
  t.is(bad.status, 400);
  t.regex(bad.text, /id="keys"[\s\S]*?class="form-error" role="alert">key: paste the whole Admin key/);
  const ok = await admin.post('/admin/imports/keys', { provider: 'anthropic', key: KEY });
  t.is(ok.status, 303);
  const page = await admin.get('/admin/imports');
  t.regex(page.text, /data-provider="anthropic"><td>Anthropic<\/td>\s*<td><code>…4321<\/code>/);
  t.false(page.text.includes(KEY));
  const range = await admin.post('/admin/imports', { provider: 'anthropic', from: '2026-10-05', to: '2026-10-01' });
  t.regex(range.text, /from: must not be after to/);
  t.regex(range.text, /name="from" value="2026-10-05" max="[\d-]+" required aria-invalid="true"/);
});

test.serial('an import runs in the background; its page polls the job row until it is done', async (t) => {
  const release = fake.hold();
  const r = await admin.post('/admin/imports', { provider: 'anthropic', from: '2026-10-01', to: '2026-10-01' });
  t.is(r.status, 303, 'the request returns while the import waits on the provider');
  const id = jobOf(r.location);
  t.true(id > 0);
  const running = await admin.get(r.location!);
  t.regex(running.text, /<div id="job-status" data-status="(?:queued|running)" hx-get="\/admin\/imports\/jobs\/\d+" hx-trigger="every 1s"/);
  release();
  await settled(app.running.services, id);
  const poll = await admin.request('GET', r.location!, undefined, { 'hx-request': 'true', 'hx-target': 'job-status' });
  t.is(poll.status, 200);
  t.regex(poll.text.trimStart(), /^<div id="job-status" data-status="done" aria-live="polite">/);
  t.regex(poll.headers.get('vary') ?? '', /HX-Request/i);
  t.is(stat(poll.text, 'pages'), '2', 'the usage report, then one day of Claude Code analytics');
  t.is(stat(poll.text, 'events'), '1');
  t.is(stat(poll.text, 'unmapped'), '1');
  t.is((await app.stats('ana')).total_tokens, 1100);
  const list = await admin.get('/admin/imports');
  t.regex(list.text, new RegExp(`data-job="${id}">[\\s\\S]*?status-done`));
});

test.serial('unmapped usage is listed and assigning it moves it to the person', async (t) => {
  const page = await admin.get('/admin/imports');
  t.regex(page.text, /data-unmapped="apikey_ci">[\s\S]*?<option value="anthropic_api_key apikey_ci">Anthropic API key: apikey_ci<\/option>/);
  const nobody = await admin.post('/admin/imports/assign', { identity: 'anthropic_api_key apikey_ci', login: 'ghost' });
  t.is(nobody.status, 404);
  t.regex(nobody.text, /id="unmapped"[\s\S]*?class="form-error" role="alert">no user with login &quot;ghost&quot;/);
  const r = await admin.post('/admin/imports/assign', { identity: 'anthropic_api_key apikey_ci', login: 'ci-bot' });
  t.is(r.status, 303);
  t.is(r.location, '/admin/imports?done=assigned&moved=1');
  t.is((await app.stats('ci-bot')).total_tokens, 14);
  const after = await admin.get(r.location!);
  t.false(after.text.includes('data-unmapped="apikey_ci"'));
  t.regex(after.text, /Assigned: 1 waiting usage record/);
});

test.serial('a refused key is a clear error on the job page, with a retry', async (t) => {
  t.is((await admin.post('/admin/imports/keys', { provider: 'openai', key: OPENAI_KEY })).status, 303);
  const r = await admin.post('/admin/imports', { provider: 'openai', from: '2026-10-01', to: '2026-10-01' });
  t.is(r.status, 303);
  await settled(app.running.services, jobOf(r.location));
  const page = await admin.get(r.location!);
  t.regex(page.text, /data-status="failed"/);
  t.regex(page.text, /data-error>OpenAI refused the admin key \(401: Incorrect API key provided\); check it is an organization Admin key with usage access</);
  t.regex(page.text, /<button type="submit" class="btn">Retry<\/button>/);
  t.false(page.text.includes(OPENAI_KEY));
  t.false(app.logs.join('\n').includes(OPENAI_KEY), 'the key never reaches the log');
});

test.serial('a job left running by a restart shows as interrupted and resumes from the UI', async (t) => {
  const s = app.running.services;
  const id = await createJob(s, 'anthropic', '2026-10-02', '2026-10-02', cli);
  // As a process that died mid-run leaves it: still 'running', its lease run out.
  await s.db.sql.run("UPDATE import_jobs SET status = 'running', lease_until = 0 WHERE id = ?", [id]);
  const page = await admin.get(`/admin/imports/jobs/${id}`);
  t.regex(page.text, /data-status="interrupted"/);
  t.regex(page.text, /stopped when the server restarted/);
  t.false(page.text.includes('hx-trigger'), 'nothing runs it: no polling');
  const r = await admin.post(`/admin/imports/jobs/${id}/resume`);
  t.is(r.status, 303);
  t.is(r.location, `/admin/imports/jobs/${id}`);
  await settled(s, id);
  t.regex((await admin.get(r.location!)).text, /data-status="done"/);
  const done = await admin.post(`/admin/imports/jobs/${id}/resume`);
  t.is(done.status, 400);
  t.regex(done.text, /is already done/);
});

test.serial('members get 403; posting without the CSRF token gets 403', async (t) => {
  const member = await app.signIn('mo', 'member');
  t.is((await member.get('/admin/imports')).status, 403);
  t.is((await member.post('/admin/imports', { provider: 'anthropic', from: '2026-10-01', to: '2026-10-01' })).status, 403);
  t.is((await member.post('/admin/imports/assign', { kind: 'email', external_id: 'x@y.z', login: 'mo' })).status, 403);
  t.is((await admin.post('/admin/imports/keys', { provider: 'anthropic', key: 'sk-ant-admin01-hijack-000000000' }, { csrf: false })).status, 403);
  t.regex((await admin.get('/admin/imports')).text, /…4321/);
});
