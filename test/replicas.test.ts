// Several `tokenboard serve` processes on one PostgreSQL behind a real nginx running
// deploy/nginx.conf (round-robin): the real agent and concurrent signed writers send
// through nginx while one replica is SIGKILLed and restarted (at the worst moment: batches
// it committed are still unanswered, which nginx resends to the other), and every event is
// stored exactly once; a session made on one replica ends everywhere by a logout on the other; a
// replay to the other replica is 409; an import job whose replica dies is finished by the
// other; two replicas started at once on an empty database migrate once and become ready.
//
// Replicas share a PostgreSQL database; a SQLite file belongs to one machine's processes,
// so in the SQLite pass this file checks what SQLite promises instead: two servers started
// at once on one data dir both come up and migrate once. The replica tests run in the
// PostgreSQL pass of `npm test` (CI runs both).
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.ts';
import { createServices, type Services } from '../src/services.ts';
import { createLogger } from '../src/log.ts';
import { MIGRATIONS } from '../src/db/migrate.ts';
import { addUser, requireUser } from '../src/users/users.ts';
import { createToken } from '../src/users/tokens.ts';
import { createLoginLink } from '../src/auth/login-links.ts';
import { saveAdminKey } from '../src/imports/keys.ts';
import { getJob } from '../src/imports/run.ts';
import { userStats } from '../src/usage/stats.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { signedHeaders } from '../agent/wire.ts';
import { freePort } from '../scripts/pg-cluster.ts';
import { Browser, event, tempDir, type Agent } from './helpers/app.ts';
import { rows } from './helpers/db.ts';
import { ENGINE, freshPostgres } from './helpers/engine.ts';
import { startNginx, type Nginx } from './helpers/nginx.ts';
import { startReplica, type Replica } from './helpers/replica.ts';
import { newTally, writer, type Tally } from './helpers/writers.ts';
import { downloadAgent } from './helpers/agent-process.ts';
import { tcpGate, type TcpGate } from './helpers/tcp-gate.ts';
import { fakeAdminApi, fakeAnthropic, type FakeAdminApi } from './helpers/fake-anthropic.ts';

const quiet = createLogger(() => {}, true);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for a condition; the limit only keeps a broken run from hanging (no timing is asserted). */
async function until(what: string, ok: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!(await ok())) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await sleep(50);
  }
}

/** Services of the test itself on a database (users, tokens, links, row checks), with the replicas' key. */
async function servicesOn(url: string, secret: string): Promise<Services> {
  return createServices(loadConfig({ env: {}, overrides: { 'server.data_dir': tempDir(), 'database.url': url, 'server.secret_key': secret } }), { log: quiet, migrate: false });
}

const ingestAnswers = (log: string, status = 200) => (log.match(new RegExp(`method=POST path=/api/ingest status=${status}`, 'g')) ?? []).length;

/** Signs in through a one-time link on `url`; the Browser keeps the session cookie. */
async function signInAt(s: Services, url: string, login: string): Promise<Browser> {
  const link = new URL((await createLoginLink(s.db, await requireUser(s.db, login), url, CLI_ACTOR)).url);
  const b = new Browser(url);
  if ((await b.get(link.pathname + link.search)).status !== 200) throw new Error('the link page did not open');
  const used = await b.post('/login/link', { code: link.searchParams.get('code')! });
  if (used.status !== 303) throw new Error(`using the link answered ${used.status}`);
  await b.get('/');
  return b;
}

/** The same browser (its cookie and CSRF token) talking to another replica, as a load balancer would send it. */
function sameBrowserAt(b: Browser, url: string): Browser {
  const other = new Browser(url);
  for (const [k, v] of b.jar) other.jar.set(k, v);
  other.csrf = b.csrf;
  return other;
}

if (ENGINE === 'sqlite') {
  test('SQLite: two servers started at once on one data dir both start and migrate once (replicas sharing a database: the PostgreSQL pass)', async (t) => {
    const dataDir = tempDir();
    // No secret key configured: the first start generates data/secret_key, and both must end up with the same.
    const env = { TOKENBOARD_SERVER_DATA_DIR: dataDir };
    const [a, b] = [startReplica('a', await freePort(), env), startReplica('b', await freePort(), env)];
    t.teardown(async () => { await a.kill(); await b.kill(); });
    await Promise.all([a.ready(), b.ready()]);
    const migrated = [a, b].filter((r) => /database migrated/.test(r.log()));
    t.is(migrated.length, 1, 'one of them ran the migrations, the other found them done');
    const s = await createServices(loadConfig({ env: {}, overrides: { 'server.data_dir': dataDir } }), { log: quiet, migrate: false });
    t.teardown(() => s.close());
    const names = (await rows<{ name: string }>(s.db, 'SELECT name FROM schema_migrations ORDER BY name')).map((r) => r.name);
    t.deepEqual(names, MIGRATIONS.map(([n]) => n).sort());
    // One first-start admin, one link printed.
    t.is([a, b].filter((r) => /first start in local mode/.test(r.log())).length, 1);
    t.deepEqual((await rows<{ login: string }>(s.db, 'SELECT login FROM users')).map((r) => r.login), ['admin']);
    // Both read tokens sealed under the one key: a batch to each is stored.
    await addUser(s.db, { login: 'sol' }, CLI_ACTOR);
    const sol = await createToken(s.db, s.sealer, await requireUser(s.db, 'sol'), undefined, CLI_ACTOR);
    for (const r of [a, b]) {
      const body = JSON.stringify({ events: [event()] });
      t.is((await fetch(`${r.url}/api/ingest`, { method: 'POST', headers: signedHeaders(sol.user_id, sol.token, body), body })).status, 200, r.name);
    }
    t.is((await userStats(s.db, await requireUser(s.db, 'sol'))).events, 2);
  });
} else {
  replicaTests();
}

function replicaTests(): void {
  const secret = randomBytes(32).toString('hex');
  const ADMIN_KEY = 'sk-ant-admin01-replica-test-0000000000';
  let dbUrl: string;
  let nginx: Nginx;
  let s: Services;
  let fake: FakeAdminApi;
  /** Between nginx and replica a. */
  let gate: TcpGate;
  const replicas: Record<'a' | 'b', Replica> = {} as Record<'a' | 'b', Replica>;
  const ports: Record<'a' | 'b', number> = { a: 0, b: 0 };
  let env: Record<string, string>;
  const start = (name: 'a' | 'b') => {
    replicas[name] = startReplica(name, ports[name], { ...env, TOKENBOARD_SERVER_DATA_DIR: tempDir(`tb-replica-${name}-`) });
    return replicas[name].ready();
  };

  test.before(async () => {
    dbUrl = await freshPostgres();
    fake = await fakeAdminApi(ADMIN_KEY);
    ports.a = await freePort();
    ports.b = await freePort();
    gate = await tcpGate(ports.a);
    nginx = await startNginx([gate.port, ports.b]);
    env = {
      TOKENBOARD_DATABASE_URL: dbUrl, TOKENBOARD_SERVER_SECRET_KEY: secret, TOKENBOARD_SERVER_BASE_URL: nginx.url,
      // A short lease, so a dead replica's import job is taken over within seconds.
      TOKENBOARD_JOBS_LEASE_SECONDS: '2', TOKENBOARD_IMPORTS_SYNC_DAYS: '0', TOKENBOARD_PROVIDERS_ANTHROPIC_API_URL: fake.url,
    };
    await Promise.all([start('a'), start('b')]);
    s = await servicesOn(dbUrl, secret);
  });
  test.after.always(async () => {
    await Promise.all(Object.values(replicas).map((r) => r.kill('SIGKILL')));
    await nginx?.stop();
    await fake?.close();
    await gate?.close();
    await s?.close();
  });

  test.serial('a session made on one replica is ended everywhere by a logout on the other; a one-time link signs in once across replicas; a replay to the other replica is 409', async (t) => {
    const { a, b } = replicas;
    await addUser(s.db, { login: 'sam', role: 'admin' }, CLI_ACTOR);
    const onA = await signInAt(s, a.url, 'sam');
    const onB = sameBrowserAt(onA, b.url);
    const page = await onB.get('/');
    t.is(page.status, 200, 'the session made on a is known to b');
    t.regex(page.text, /sam/);
    const out = await onB.post('/logout');
    t.is(out.status, 303);
    const after = await onA.get('/');
    t.is(after.status, 302, 'logged out on b: the cookie is dead on a too');
    t.regex(after.location ?? '', /^\/login/);

    // "Sign out everywhere" on b ends a session made on a.
    const laptop = await signInAt(s, a.url, 'sam');
    const desk = sameBrowserAt(await signInAt(s, a.url, 'sam'), b.url);
    t.is((await desk.post('/settings/sign-out-everywhere')).status, 303);
    t.is((await laptop.get('/')).status, 302);

    // A one-time link used on both replicas at once signs in once.
    const link = new URL((await createLoginLink(s.db, await requireUser(s.db, 'sam'), nginx.url, CLI_ACTOR)).url);
    const both = [new Browser(a.url), new Browser(b.url)];
    for (const x of both) t.is((await x.get(link.pathname + link.search)).status, 200);
    const used = await Promise.all(both.map((x) => x.post('/login/link', { code: link.searchParams.get('code')! })));
    t.deepEqual(used.map((r) => r.status).sort(), [303, 410]);

    // The same signed request: stored by a, refused by b (the replay record is in the shared database).
    await addUser(s.db, { login: 'rey' }, CLI_ACTOR);
    const rey = await createToken(s.db, s.sealer, await requireUser(s.db, 'rey'), undefined, CLI_ACTOR);
    const body = JSON.stringify({ events: [event({ input_tokens: 5, output_tokens: 1 })] });
    const headers = signedHeaders(rey.user_id, rey.token, body);
    t.is((await fetch(`${a.url}/api/ingest`, { method: 'POST', headers, body })).status, 200);
    const replay = await fetch(`${b.url}/api/ingest`, { method: 'POST', headers, body });
    t.is(replay.status, 409);
    t.regex((await replay.json() as { error: string }).error, /already received/);
    t.is((await userStats(s.db, await requireUser(s.db, 'rey'))).events, 1);
  });

  test.serial('org settings saved on one replica apply on the other at its next request: visibility, name, time zone', async (t) => {
    const { a, b } = replicas;
    const admin = await signInAt(s, a.url, 'sam');
    const save = async (form: Record<string, string>) => {
      await admin.get('/admin/settings');
      t.is((await admin.post('/admin/settings', form)).status, 303);
    };
    const anonymous = new Browser(b.url);
    t.is((await anonymous.get('/')).status, 302, 'members only at first');
    // UTC+14 all year (no daylight saving): a day ahead of UTC from 10:00 UTC on.
    await save({ name: 'Replica Org', timezone: 'Pacific/Kiritimati', leaderboard_visibility: 'public', retention_days: '' });
    const open = await anonymous.get('/');
    t.is(open.status, 200, 'public on b too');
    t.regex(open.text, /Replica Org/);
    // An event stored by b falls on the org's day, not UTC's: yesterday 12:00 UTC is 02:00 today in Kiritimati.
    await addUser(s.db, { login: 'kit' }, CLI_ACTOR);
    const kit = await createToken(s.db, s.sealer, await requireUser(s.db, 'kit'), undefined, CLI_ACTOR);
    const noon = Date.parse(`${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}T12:00:00Z`);
    const body = JSON.stringify({ events: [event({ ts: noon })] });
    t.is((await fetch(`${b.url}/api/ingest`, { method: 'POST', headers: signedHeaders(kit.user_id, kit.token, body), body })).status, 200);
    const [stored] = await rows<{ day: string }>(s.db, 'SELECT day FROM usage_events WHERE user_id = ?', [kit.user_id]);
    t.is(stored.day, new Date(noon + 14 * 3600_000).toISOString().slice(0, 10));
    // And closing the leaderboard again closes it on b at once.
    await save({ name: 'TokenBoard', timezone: 'UTC', leaderboard_visibility: 'members', retention_days: '' });
    t.is((await anonymous.get('/')).status, 302, 'members only again on b');
  });

  test.serial('agent and concurrent writers through nginx while a replica is SIGKILLed and restarted: every event stored exactly once', async (t) => {
    t.timeout(120_000);
    const BATCH = 25;
    // Three people with two writers each (two writers of one person contend for the same read-model rows).
    const people = ['wen', 'wyn', 'wes'];
    const writers: { login: string; name: string; agent: Agent; tally: Tally }[] = [];
    for (const login of people) {
      await addUser(s.db, { login }, CLI_ACTOR);
      const tok = await createToken(s.db, s.sealer, await requireUser(s.db, login), undefined, CLI_ACTOR);
      for (const n of [1, 2]) writers.push({ login, name: `${login}-${n}`, agent: { user_id: tok.user_id, token: tok.token }, tally: newTally() });
    }

    // The real agent: downloaded through nginx, logged in through nginx, its proxy in front of a fake Anthropic.
    await addUser(s.db, { login: 'ada' }, CLI_ACTOR);
    const ada = await createToken(s.db, s.sealer, await requireUser(s.db, 'ada'), 'laptop', CLI_ACTOR);
    const upstream = await fakeAnthropic();
    t.teardown(() => upstream.close());
    const agentHome = await downloadAgent(nginx.url);
    const login = await agentHome.run(['login', '--server', nginx.url, '--user', String(ada.user_id), '--token', ada.token]);
    t.is(login.code, 0, login.err);
    const proxyPort = await freePort();
    const agent = await agentHome.start(['proxy'], { TOKENBOARD_PROXY_PORT: String(proxyPort), TOKENBOARD_FLUSH_MS: '50', TOKENBOARD_UPSTREAM_ANTHROPIC: upstream.url }, /proxy listening on/);
    t.teardown(() => agent.stop());

    let stopping = false;
    const running = writers.map((w) => writer(nginx.url, w.agent, w.name, BATCH, () => stopping, w.tally));
    // Model responses through the agent's proxy, one after another: response n reports n input and 2 output tokens.
    let responses = 0;
    const client = (async () => {
      while (!stopping) {
        const n = responses + 1;
        const res = await fetch(`http://127.0.0.1:${proxyPort}/v1/messages`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-user-key', 'anthropic-version': '2023-06-01' },
          body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: `question ${n}` }] }),
        });
        if (res.status !== 200) throw new Error(`the proxy answered ${res.status}: ${await res.text()}`);
        await res.json();
        responses = n;
        await sleep(10);
      }
    })();
    const batches = () => writers.reduce((n, w) => n + w.tally.batches, 0);

    const replayedOnB = ingestAnswers(replicas.b.log(), 409);
    await until('load on both replicas', () => batches() >= 30 && responses >= 20 && ingestAnswers(replicas.a.log()) > 0 && ingestAnswers(replicas.b.log()) > 0);
    // The worst moment to die: a has stored batches (committed) whose answers never left.
    gate.hold();
    await until('a to store batches nobody hears about', () => (gate.swallowed.get(200) ?? 0) >= 2);
    await replicas.a.kill('SIGKILL');
    gate.cut();
    const lost = gate.swallowed.get(200)!;
    t.deepEqual([...gate.swallowed.keys()], [200], 'only stored batches were cut off');
    const atKill = batches();
    await start('a');
    // Round-robin sends to the restarted replica again.
    await until('traffic on the restarted replica', () => ingestAnswers(replicas.a.log()) >= 5 && batches() >= atKill + 30);
    stopping = true;
    await Promise.all([...running, client]);
    const N = responses;
    const all = writers.map((w) => w.tally);
    t.is(all.reduce((n, x) => n + x.unanswered, 0), 0, 'nginx passed every cut-off request on to the live replica: no writer saw the kill');
    // Each batch a stored but never answered was resent by nginx to b, which said 409 (stored
    // already); so may be a batch a committed in the instant before it died, unanswered too.
    const replayed = ingestAnswers(replicas.b.log(), 409) - replayedOnB;
    t.true(replayed >= lost, `${replayed} answered 409 by b, ${lost} answers cut off`);

    // The agent: every response once, whatever the kill did to its batches.
    const adaId = ada.user_id;
    await until('the agent to deliver everything', async () => (await rows<{ n: number }>(s.db, 'SELECT COUNT(*) AS n FROM usage_events WHERE user_id = ?', [adaId]))[0].n >= N);
    await agent.stop();
    const status = await agentHome.run(['status', '--json']);
    t.is(status.code, 0, status.err);
    const st = JSON.parse(status.out) as { queue: number; delivered: number; rejected: number };
    t.like(st, { queue: 0, delivered: N, rejected: 0 });
    const adaStats = await userStats(s.db, await requireUser(s.db, 'ada'));
    t.is(adaStats.events, N);
    t.is(adaStats.input_tokens, (N * (N + 1)) / 2, '1 + 2 + ... + N');
    t.is(adaStats.output_tokens, 2 * N);

    // The writers: per person, the events table and the read model hold exactly what was sent.
    for (const login of people) {
      const mine = writers.filter((w) => w.login === login).map((w) => w.tally);
      const sum = (k: keyof Tally) => mine.reduce((n, x) => n + x[k], 0);
      const id = mine.length && writers.find((w) => w.login === login)!.agent.user_id;
      const [stored] = await rows<{ n: number; ids: number; input: number; output: number }>(s.db,
        'SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS ids, SUM(input_tokens) AS input, SUM(output_tokens) AS output FROM usage_events WHERE user_id = ?', [id]);
      t.deepEqual([Number(stored.n), Number(stored.ids), Number(stored.input), Number(stored.output)], [sum('events'), sum('events'), sum('input_tokens'), sum('output_tokens')], login);
      // Every stored event was answered once: in a 200's accepted, as a duplicate of a resend whose
      // first try was stored unanswered, or inside a batch a 409 said was stored already.
      t.is(Number(stored.n), sum('accepted') + sum('duplicates') + sum('replays') * BATCH, `${login}: accepted + duplicates + replayed batches`);
      const st2 = await userStats(s.db, await requireUser(s.db, login));
      t.deepEqual([st2.events, st2.input_tokens, st2.output_tokens], [sum('events'), sum('input_tokens'), sum('output_tokens')], `${login}: the read model`);
      const [totals] = await rows<{ events: number; input_tokens: number }>(s.db, 'SELECT events, input_tokens FROM user_totals WHERE user_id = ?', [id]);
      t.deepEqual([Number(totals.events), Number(totals.input_tokens)], [sum('events'), sum('input_tokens')], `${login}: user_totals`);
    }
    t.log(`${batches()} batches of ${BATCH} from ${writers.length} writers and ${N} agent events; ${lost} answers cut off at the kill and ${replayed} batches resent by nginx answered 409, ` +
      `${all.reduce((n, x) => n + x.replays, 0)} writers' batches answered 409, ${all.reduce((n, x) => n + x.duplicates, 0)} duplicates; ` +
      `nginx passed ${(nginx.errorLog().match(/while reading response header from upstream/g) ?? []).length} requests on after an upstream failed`);
  });

  test.serial('an import job whose replica is killed mid-job is finished by the other', async (t) => {
    t.timeout(90_000);
    await addUser(s.db, { login: 'ana', email: 'ana@acme.dev' }, CLI_ACTOR);
    await addUser(s.db, { login: 'ida', role: 'admin' }, CLI_ACTOR);
    await saveAdminKey(s.db, s.adminSealer, 'anthropic', ADMIN_KEY, CLI_ACTOR);
    const admin = await signInAt(s, nginx.url, 'ida');
    await admin.get('/admin/imports');
    const started = await admin.post('/admin/imports', { provider: 'anthropic', from: '2026-10-01', to: '2026-10-04' });
    t.is(started.status, 303, started.text.slice(0, 500));
    const id = Number(/\/admin\/imports\/jobs\/(\d+)$/.exec(started.location ?? '')?.[1]);
    t.true(id > 0);

    // The fake holds its answer to the second page: the job is mid-way when its replica dies.
    await fake.secondPageAsked;
    const job = await getJob(s, id);
    const pid = Number(job!.lease_owner!.split(':')[1]);
    const owner = Object.values(replicas).find((r) => r.pid === pid)!;
    t.truthy(owner, `the job runs on a replica (${job!.lease_owner})`);
    const other = Object.values(replicas).find((r) => r !== owner)!;
    await owner.kill('SIGKILL');
    fake.release();
    t.like(await getJob(s, id), { status: 'running', pages: 1 }, 'cut short after its first page');

    await until('the other replica to finish the job', async () => (await getJob(s, id))?.status === 'done', 60_000);
    const done = (await getJob(s, id))!;
    // 4 pages of the usage report + one Claude Code page for each of the 4 days.
    t.like(done, { status: 'done', pages: 4 + 4, events: 4, unmapped: 0, error: null });
    t.regex(other.log(), new RegExp(`resuming an import job whose process stopped job=${id}`));
    // Resumed from its cursor: the first page was fetched once, the second twice (the dead replica's answer was lost).
    t.is(fake.hits.filter((h) => h === 'messages:first').length, 1);
    t.is(fake.hits.filter((h) => h === 'messages:p2').length, 2);
    const ana = await userStats(s.db, await requireUser(s.db, 'ana'));
    t.is(ana.events, 4);
    t.is(ana.input_tokens, 1000 + 2000 + 3000 + 4000);
    t.is(ana.output_tokens, 10 + 20 + 30 + 40);
    const [stored] = await rows<{ n: number }>(s.db, "SELECT COUNT(*) AS n FROM usage_events WHERE source = 'anthropic-admin'");
    t.is(Number(stored.n), 4);
  });

  test('two replicas started at once on an empty database both become ready; a replica with another key refuses to start', async (t) => {
    t.timeout(90_000);
    const url = await freshPostgres({ empty: true });
    const base = { TOKENBOARD_DATABASE_URL: url, TOKENBOARD_SERVER_SECRET_KEY: secret, TOKENBOARD_IMPORTS_SYNC_DAYS: '0' };
    const two = [startReplica('c', await freePort(), { ...base, TOKENBOARD_SERVER_DATA_DIR: tempDir() }), startReplica('d', await freePort(), { ...base, TOKENBOARD_SERVER_DATA_DIR: tempDir() })];
    t.teardown(async () => { await Promise.all(two.map((r) => r.kill())); });
    await Promise.all(two.map((r) => r.ready()));
    for (const r of two) t.like(await (await fetch(`${r.url}/readyz`)).json(), { ready: true, database: 'postgres' });
    t.is(two.filter((r) => /database migrated/.test(r.log())).length, 1, 'migrated once');
    t.is(two.filter((r) => /first start in local mode/.test(r.log())).length, 1, 'one first-start admin and link');
    const mine = await servicesOn(url, secret);
    t.teardown(() => mine.close());
    const names = (await rows<{ name: string }>(mine.db, 'SELECT name FROM schema_migrations ORDER BY name')).map((r) => r.name);
    t.deepEqual(names, MIGRATIONS.map(([n]) => n).sort());
    t.deepEqual((await rows<{ login: string }>(mine.db, 'SELECT login FROM users')).map((r) => r.login), ['admin']);

    const stranger = startReplica('e', await freePort(), { ...base, TOKENBOARD_SERVER_SECRET_KEY: randomBytes(32).toString('hex'), TOKENBOARD_SERVER_DATA_DIR: tempDir() });
    t.is(await stranger.exited, 1);
    t.regex(stranger.log(), /different secret key than the one the database was set up with/);
  });
}
