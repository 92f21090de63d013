// Provider Admin-API backfill against fake Anthropic and OpenAI admin APIs on 127.0.0.1:
// paging, 429 with retry-after, a 5xx retried, a refused key, mapping by email and by an
// admin-assigned identity, idempotent re-import.
import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { withApp, tempDir, type TestApp } from './helpers/app.ts';
import { addUser } from '../src/users/users.ts';
import { createJob, runJob, getJob } from '../src/imports/run.ts';
import { assignIdentity, unmappedUsage } from '../src/imports/mapping.ts';
import { saveAdminKey, loadAdminKey, adminKeyHints } from '../src/imports/keys.ts';
import { main } from '../src/cli.ts';
import { syncRecent } from '../src/imports/sync.ts';
import { rows } from './helpers/db.ts';
import { cliEnv } from './helpers/engine.ts';

const admin = { userId: null, login: 'root' };
const KEY = 'sk-ant-admin01-test-key-0000000000';

interface Fake { url: string; hits: string[]; close(): Promise<void> }

/** A fake admin API: scripted answers per path, the first calls can fail on purpose. */
async function fakeApi(routes: Record<string, (q: URLSearchParams, n: number) => { status?: number; headers?: Record<string, string>; body: unknown }>, auth: (req: http.IncomingMessage) => boolean): Promise<Fake> {
  const hits: string[] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    hits.push(`${u.pathname}?${u.searchParams}`);
    if (!auth(req)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'authentication_error', message: 'invalid x-api-key' } }));
      return;
    }
    const route = routes[u.pathname];
    const n = (counts.get(u.pathname) ?? 0) + 1;
    counts.set(u.pathname, n);
    const out = route ? route(u.searchParams, n) : { status: 404, body: { error: { message: 'no such route' } } };
    res.writeHead(out.status ?? 200, { 'content-type': 'application/json', ...out.headers });
    res.end(JSON.stringify(out.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

const bucket = (day: string, results: unknown[]) => ({ starting_at: `${day}T00:00:00Z`, ending_at: `${day}T23:59:59Z`, results });
const ccRecord = (email: string, customer: string, tokens: number[]) => ({
  date: '2026-10-01T00:00:00Z', actor: { type: 'user_actor', email_address: email }, customer_type: customer, terminal_type: 'vscode',
  core_metrics: { num_sessions: 6, lines_of_code: { added: 342, removed: 128 }, commits_by_claude_code: 4, pull_requests_by_claude_code: 1 },
  model_breakdown: [{ model: 'claude-sonnet-4-5', tokens: { input: tokens[0], output: tokens[1], cache_read: tokens[2], cache_creation: tokens[3] }, estimated_cost: { amount: 186, currency: 'USD' } }],
});
const anthropicRoutes = () => ({
  // Day 1: an API-key user, whose tokens are already in the messages report (activity only).
  // Day 2: a subscription seat nobody here maps to: its tokens wait as unmapped usage.
  '/v1/organizations/usage_report/claude_code': (q: URLSearchParams) => ({ body: {
    data: q.get('starting_at') === '2026-10-01' ? [ccRecord('ana@acme.dev', 'api', [999, 999, 0, 0])] : [ccRecord('zed@acme.dev', 'subscription', [50, 5, 0, 0])],
    has_more: false, next_page: null } }),
  '/v1/organizations/users': () => ({ body: { data: [{ id: 'user_ana', email: 'Ana@Acme.dev' }], has_more: false } }),
  '/v1/organizations/usage_report/messages': (q: URLSearchParams, n: number) => {
    // First call: rate limited; then two pages.
    if (n === 1) return { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } };
    if (!q.get('page')) {
      return { body: { data: [bucket('2026-10-01', [
        { uncached_input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 5000, cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 50 }, account_id: 'user_ana', api_key_id: 'apikey_1', model: 'claude-haiku-4-5' },
        { uncached_input_tokens: 7, output_tokens: 7, cache_read_input_tokens: 0, cache_creation: {}, account_id: null, api_key_id: 'apikey_ci', model: 'claude-haiku-4-5' },
      ])], has_more: true, next_page: 'page_2' } };
    }
    if (q.get('page') === 'page_2' && n === 3) return { status: 500, body: { error: { message: 'boom' } } };
    return { body: { data: [bucket('2026-10-02', [
      { uncached_input_tokens: 2000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation: null, account_id: 'user_ana', api_key_id: 'apikey_1', model: 'claude-sonnet-4-5' },
    ])], has_more: false, next_page: null } };
  },
});

let app: TestApp;
test.before(async () => {
  app = await withApp();
  await addUser(app.running.services.db, { login: 'ana', email: 'ana@acme.dev' }, admin);
  await addUser(app.running.services.db, { login: 'ci-bot' }, admin);
  await addUser(app.running.services.db, { login: 'bea', email: 'bea@acme.dev' }, admin);
});
test.after.always(async () => { await app?.stop(); });

test('Anthropic: pages, 429 with retry-after and a 5xx retried, mapped by email; unmapped kept; re-import changes nothing', async (t) => {
  const s = app.running.services;
  const fake = await fakeApi(anthropicRoutes(), (req) => req.headers['x-api-key'] === KEY && req.headers['anthropic-version'] === '2023-06-01');
  t.teardown(() => fake.close());
  const progress: number[] = [];
  const job = await createJob(s, 'anthropic', '2026-10-01', '2026-10-02', admin);
  const done = await runJob(s, job, { key: KEY, baseUrl: fake.url, onProgress: (p) => progress.push(p.pages) });
  t.like(done, { status: 'done', pages: 4, events: 2, unmapped: 2 });
  t.deepEqual(progress, [1, 2, 3, 4, 4]);
  const messages = fake.hits.filter((h) => h.startsWith('/v1/organizations/usage_report/messages'));
  t.is(messages.length, 4, '429, page 1, 500, page 2');
  t.true(messages[1].includes('group_by%5B%5D=account_id'));
  t.true(messages[1].includes('starting_at=2026-10-01T00%3A00%3A00Z'));

  const ana = await app.stats('ana');
  t.is(ana.events, 2);
  t.is(ana.input_tokens, 3000);
  t.is(ana.cache_read_tokens, 5000);
  t.is(ana.cache_write_tokens, 250);
  // 50 of those 250 were 1-hour writes (ephemeral_1h_input_tokens): kept apart for their price.
  t.deepEqual(await rows(s.db, "SELECT cache_write_tokens, cache_write_1h_tokens FROM daily_rollups WHERE model = 'claude-haiku-4-5'"), [{ cache_write_tokens: 250, cache_write_1h_tokens: 50 }]);
  t.deepEqual(ana.models.map((m) => m.model).sort(), ['claude-haiku-4-5', 'claude-sonnet-4-5']);

  t.deepEqual((await unmappedUsage(s.db)).map((u) => [u.label, u.tokens]), [['zed@acme.dev', 55], ['apikey_ci', 14]]);
  const activity = await rows(s.db, 'SELECT day, sessions, lines_added, lines_removed, commits, pull_requests FROM claude_code_activity');
  t.deepEqual(activity, [{ day: '2026-10-01', sessions: 6, lines_added: 342, lines_removed: 128, commits: 4, pull_requests: 1 }]);
  t.true(fake.hits.some((h) => h === '/v1/organizations/usage_report/claude_code?starting_at=2026-10-02&limit=1000'));

  // The same range again: bucket ids make it a no-op.
  const again = await createJob(s, 'anthropic', '2026-10-01', '2026-10-02', admin);
  const second = await runJob(s, again, { key: KEY, baseUrl: fake.url });
  t.is(second.events, 0);
  t.is((await app.stats('ana')).events, 2);
  t.is((await unmappedUsage(s.db)).length, 2);

  // Assigning the key re-attributes its usage.
  t.is(await assignIdentity(s, 'anthropic_api_key', 'apikey_ci', 'ci-bot', admin), 1);
  t.is((await app.stats('ci-bot')).total_tokens, 14);
  t.deepEqual((await unmappedUsage(s.db)).map((u) => u.label), ['zed@acme.dev']);
});

test('OpenAI: cached input is split out, users mapped by email, paging', async (t) => {
  const s = app.running.services;
  const fake = await fakeApi({
    '/v1/organization/users': () => ({ body: { object: 'list', data: [{ id: 'user-bea', email: 'bea@acme.dev' }], has_more: false } }),
    '/v1/organization/usage/completions': (q) => ({ body: { object: 'page', data: [{ object: 'bucket', start_time: Date.UTC(2026, 9, q.get('page') ? 4 : 3) / 1000, end_time: 0, results: [
      { input_tokens: 1000, input_cached_tokens: 600, output_tokens: 50, user_id: 'user-bea', api_key_id: 'key_x', project_id: null, model: 'gpt-5' },
    ] }], has_more: !q.get('page'), next_page: q.get('page') ? null : 'p2' } }),
  }, (req) => req.headers.authorization === 'Bearer sk-admin-openai-000000');
  t.teardown(() => fake.close());
  const job = await createJob(s, 'openai', '2026-10-03', '2026-10-04', admin);
  const done = await runJob(s, job, { key: 'sk-admin-openai-000000', baseUrl: fake.url });
  t.like(done, { pages: 2, events: 2, unmapped: 0 });
  const gpt = (await app.stats('bea')).models.find((m) => m.model === 'gpt-5')!;
  t.deepEqual([gpt.input_tokens, gpt.cache_read_tokens, gpt.output_tokens, gpt.events], [800, 1200, 100, 2]);
  const usage = fake.hits.find((h) => h.startsWith('/v1/organization/usage/completions'))!;
  t.true(usage.includes(`start_time=${Date.UTC(2026, 9, 3) / 1000}`));
  t.true(usage.includes('group_by=user_id'));
});

test('a refused key is one clear error, recorded on the job; the key never appears', async (t) => {
  const s = app.running.services;
  const fake = await fakeApi(anthropicRoutes(), () => false);
  t.teardown(() => fake.close());
  const job = await createJob(s, 'anthropic', '2026-10-01', '2026-10-01', admin);
  const err = await t.throwsAsync(runJob(s, job, { key: 'sk-ant-admin01-wrong-0000', baseUrl: fake.url }));
  t.regex(err!.message, /Anthropic refused the admin key \(401: invalid x-api-key\)/);
  t.false(err!.message.includes('wrong'));
  const row = await getJob(s, job);
  t.is(row!.status, 'failed');
  t.regex(row!.error!, /refused the admin key/);
});

test('a server that is down is a clear error', async (t) => {
  const s = app.running.services;
  const job = await createJob(s, 'openai', '2026-10-01', '2026-10-01', admin);
  await t.throwsAsync(runJob(s, job, { key: 'k'.repeat(20), baseUrl: 'http://127.0.0.1:9', retryLimit: 0 }), { message: /OpenAI could not be reached \(ECONNREFUSED\)/ });
});

test('ranges are checked; admin keys are sealed and shown by their last 4', async (t) => {
  const s = app.running.services;
  await t.throwsAsync(createJob(s, 'anthropic', '2026-10-05', '2026-10-01', admin), { message: /from: must not be after to/ });
  await t.throwsAsync(createJob(s, 'anthropic', '2026-13-01', '2026-10-01', admin), { message: /not a date/ });
  await t.throwsAsync(createJob(s, 'anthropic', '2026-10-01', '2099-01-01', admin), { message: /import up to yesterday/ });
  t.is(await saveAdminKey(s.db, s.adminSealer, 'anthropic', KEY, admin), '0000');
  t.is(await loadAdminKey(s.db, s.adminSealer, 'anthropic'), KEY);
  const [hint] = await adminKeyHints(s.db);
  t.is(hint.last4, '0000');
  const raw = JSON.stringify(await rows(s.db, 'SELECT * FROM admin_keys'));
  t.false(raw.includes(KEY));
});

test('CLI: tokenboard import with --key-env, progress on stderr, summary on stdout', async (t) => {
  const fake = await fakeApi(anthropicRoutes(), (req) => req.headers['x-api-key'] === KEY);
  t.teardown(() => fake.close());
  const dir = tempDir();
  const out: string[] = [];
  const err: string[] = [];
  const env = await cliEnv(dir, { TOKENBOARD_PROVIDERS_ANTHROPIC_API_URL: fake.url, ADMIN_KEY: KEY });
  const code = await main(['import', 'anthropic', '--from', '2026-10-01', '--to', '2026-10-02', '--key-env', 'ADMIN_KEY'], { out: (x) => out.push(x), err: (x) => err.push(x) }, env);
  t.is(code, 0, err.join('\n'));
  t.regex(out[0], /^imported \d+ events from anthropic in 4 pages/);
  t.true(err.some((l) => /import anthropic: page 1/.test(l)));
  const bad: string[] = [];
  t.not(await main(['import', 'anthropic', '--from', '2026-10-01', '--to', '2026-10-02', '--key-env', 'NOPE'], { out: () => {}, err: (x) => bad.push(x) }, env), 0);
  t.regex(bad[0], /NOPE is not set/);
});

test('a job cut short resumes from its last page', async (t) => {
  // Its own server: the same data imported into the shared one would look like duplicates there.
  const own = await withApp();
  t.teardown(() => own.stop());
  const s = own.running.services;
  let down = true;
  const routes = anthropicRoutes();
  const fake = await fakeApi({
    ...routes,
    '/v1/organizations/usage_report/messages': (q, n) => (q.get('page') === 'page_2' && down
      ? { status: 503, body: { error: { message: 'maintenance' } } }
      : routes['/v1/organizations/usage_report/messages'](q, n + 1)),
  }, () => true);
  t.teardown(() => fake.close());
  const job = await createJob(s, 'anthropic', '2026-10-01', '2026-10-02', admin);
  await t.throwsAsync(runJob(s, job, { key: KEY, baseUrl: fake.url, retryLimit: 0 }), { message: /Anthropic answered 503: maintenance/ });
  const cut = await getJob(s, job);
  t.like(cut, { status: 'failed', pages: 1 });
  down = false;
  const before = fake.hits.length;
  const done = await runJob(s, job, { key: KEY, baseUrl: fake.url });
  t.is(done.status, 'done');
  t.is(done.pages, 4, 'page 1 is not fetched again');
  const resumed = fake.hits.slice(before).filter((h) => h.startsWith('/v1/organizations/usage_report/messages'));
  t.is(resumed.length, 1);
  t.true(resumed[0].includes('page=page_2'));
});

test('the daily sync imports the last N whole days once a day with the stored key', async (t) => {
  const fake = await fakeApi(anthropicRoutes(), (req) => req.headers['x-api-key'] === KEY);
  t.teardown(() => fake.close());
  const own = await withApp({ 'providers.anthropic_api_url': fake.url, 'imports.sync_days': 2 });
  t.teardown(() => own.stop());
  const s = own.running.services;
  await saveAdminKey(s.db, s.adminSealer, 'anthropic', KEY, admin);
  // The server's own start-up sync ran for the real date; this test syncs as on 2026-10-03.
  const now = Date.UTC(2026, 9, 3, 8);
  const first = await syncRecent(s, now);
  t.deepEqual(first.map((r) => r.provider), ['anthropic']);
  t.is(first[0].error, undefined);
  // (The server's own start-up sync may run beside this one for the real date.)
  t.true(fake.hits.some((h) => h.startsWith('/v1/organizations/usage_report/messages?starting_at=2026-10-01T00%3A00%3A00Z&ending_at=2026-10-03T00%3A00%3A00Z')));
  t.deepEqual(await syncRecent(s, now + 3_600_000), [], 'once a day');
});
