// The server as a whole: zero-config start, health, metrics, restarts, clean shutdown.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { signedHeaders } from '../agent/wire.ts';
import { ROOT } from '../src/paths.ts';
import { withApp, postIngest, event, tempDir } from './helpers/app.ts';
import { rows } from './helpers/db.ts';
import { cliEnv, ENGINE } from './helpers/engine.ts';

test('healthz answers 200 {"ok":true} without sign-in', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const res = await fetch(`${app.url}/healthz`);
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { ok: true });
});

test('the secret key is generated once, persisted, and tokens survive a restart', async (t) => {
  const first = await withApp();
  const keyFile = join(first.dataDir, 'secret_key');
  t.true(existsSync(keyFile));
  t.is(statSync(keyFile).mode & 0o777, 0o600);
  const key = readFileSync(keyFile, 'utf8');
  await first.createUser('gina');
  const gina = await first.createToken('gina');
  t.is((await postIngest(first.url, gina, { events: [event()] })).status, 200);
  const second = await first.restart();
  t.teardown(() => second.stop());
  t.is(readFileSync(keyFile, 'utf8'), key);
  t.is((await postIngest(second.url, gina, { events: [event()] })).status, 200);
  t.is((await second.stats('gina')).events, 2);
});

test('the same request replayed after a restart → 409', async (t) => {
  const app = await withApp();
  await app.createUser('hal');
  const hal = await app.createToken('hal');
  const body = JSON.stringify({ events: [event()] });
  const headers = signedHeaders(hal.user_id, hal.token, body);
  t.is((await fetch(`${app.url}/api/ingest`, { method: 'POST', headers, body })).status, 200);
  const again = await app.restart();
  t.teardown(() => again.stop());
  const res = await fetch(`${again.url}/api/ingest`, { method: 'POST', headers, body });
  t.is(res.status, 409);
  t.is((await again.stats('hal')).events, 1);
});

test('/metrics: events accepted, batches rejected by reason, ingest latency histogram', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  await app.createUser('ivy');
  const ivy = await app.createToken('ivy');
  await postIngest(app.url, ivy, { events: [event(), event(), event()] });
  await postIngest(app.url, ivy, 'not json');
  await postIngest(app.url, { ...ivy, token: 'wrong' }, { events: [] });
  const text = await (await fetch(`${app.url}/metrics`)).text();
  t.regex(text, /^tokenboard_ingest_events_accepted_total 3$/m);
  t.regex(text, /^tokenboard_ingest_batches_rejected_total\{reason="bad_json"\} 1$/m);
  t.regex(text, /^tokenboard_ingest_batches_rejected_total\{reason="bad_signature"\} 1$/m);
  // The +Inf bucket holds every request whatever it took: no timing in a test.
  t.regex(text, /^tokenboard_ingest_duration_seconds_bucket\{le="\+Inf",status="200"\} 1$/m);
  t.regex(text, /^tokenboard_ingest_duration_seconds_count\{status="400"\} 1$/m);
});

test('unknown paths get a JSON 404 for the API and a page otherwise', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const api = await fetch(`${app.url}/api/nope`);
  t.is(api.status, 404);
  t.truthy(((await api.json()) as { error: string }).error);
  const page = await fetch(`${app.url}/nope`, { headers: { accept: 'text/html' } });
  t.is(page.status, 404);
  t.regex(await page.text(), /<html/);
});

test('zero config: `serve` starts (SQLite under the data dir, or the PostgreSQL of database.url); SIGTERM finishes in-flight batches and exits 0', async (t) => {
  const dataDir = tempDir();
  const env = await cliEnv(dataDir);
  const start = () => {
    const child = spawn(process.execPath, ['--import=tsx', join(ROOT, 'src/cli.ts'), 'serve'], {
      env: { PATH: process.env.PATH!, ...env, TOKENBOARD_SERVER_PORT: '0', TOKENBOARD_SERVER_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const url = new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (b: Buffer) => {
        log += b.toString();
        const m = /listening url=(\S+)/.exec(log);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${log}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, url, exited, log: () => log };
  };

  const s1 = start();
  const url = await s1.url;
  t.deepEqual(await (await fetch(`${url}/healthz`)).json(), { ok: true });
  t.is(existsSync(join(dataDir, 'tokenboard.sqlite')), ENGINE === 'sqlite', 'SQLite by default, nothing of it on PostgreSQL');
  t.true(existsSync(join(dataDir, 'secret_key')));

  // A user and token made by the CLI next to the running server (a second process).
  const { main } = await import('../src/cli.ts');
  const out: string[] = [];
  t.is(await main(['user', 'add', 'jo'], { out: (x) => out.push(x), err: () => {} }, env), 0);
  t.is(await main(['token', 'create', 'jo'], { out: (x) => out.push(x), err: () => {} }, env), 0);
  const jo = JSON.parse(out[1]);

  // Send batches and SIGTERM while they are under way: every batch answered 200 must be stored.
  const sends = Array.from({ length: 20 }, (_, i) => postIngest(url, jo, { events: Array.from({ length: 50 }, (_, j) => event({ id: `sig-${i}-${j}`, input_tokens: 1, output_tokens: 0 })) })
    .then((r) => r, () => ({ status: 0, json: null })));
  const firstDone = await Promise.race(sends);
  t.is(firstDone.status, 200);
  s1.child.kill('SIGTERM');
  const results = await Promise.all(sends);
  t.is(await s1.exited, 0);
  t.regex(s1.log(), /shutting down signal=SIGTERM/);
  t.regex(s1.log(), /stopped/);
  const stored = results.filter((r) => r.status === 200).reduce((n, r) => n + (r.json as { accepted: number }).accepted, 0);
  t.true(stored >= 50);
  t.true(results.every((r) => r.status === 200 || r.status === 0), 'no batch failed half-way');

  out.length = 0;
  t.is(await main(['stats', 'jo', '--json'], { out: (x) => out.push(x), err: () => {} }, env), 0);
  t.is(JSON.parse(out[0]).events, stored);
});

test('replay records older than the drift window are cleaned up; fresh ones stay', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  await app.createUser('kim');
  const kim = await app.createToken('kim');
  t.is((await postIngest(app.url, kim, { events: [] })).status, 200);
  const { db } = app.running.services;
  await db.sql.run('INSERT INTO replay_records (user_id, ts, body_sha256, created_at) VALUES (?, ?, ?, ?)', [kim.user_id, Date.now() - 3_600_000, 'a'.repeat(64), Date.now() - 3_600_000]);
  const count = async () => (await rows<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM replay_records'))[0].n;
  t.is(await count(), 2);
  const { cleanReplayRecords } = await import('../src/ingest/ingest.ts');
  t.is(await cleanReplayRecords(db), 1);
  t.is(await count(), 1);
});

test('the access log records the status actually sent, errors included', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  // A thrown error (CSRF refusal) as well as a set status.
  t.is((await fetch(`${app.url}/logout`, { method: 'POST', redirect: 'manual' })).status, 403);
  await fetch(`${app.url}/api/ingest`, { method: 'POST', body: '{}' });
  const lines = app.logs.join('');
  t.regex(lines, /method=POST path=\/logout status=403/);
  t.regex(lines, /path=\/api\/ingest status=401/);
});
