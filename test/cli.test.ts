// The `tokenboard` command: happy paths and one clear stderr line + non-zero exit on bad input.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { main } from '../src/cli.ts';
import { ROOT } from '../src/paths.ts';
import { tempDir } from './helpers/app.ts';
import { cliEnv, emptyDatabaseFor, ENGINE } from './helpers/engine.ts';
import { openDb } from '../src/db/connect.ts';
import { loadConfig } from '../src/config.ts';

interface Run { code: number; out: string[]; err: string[] }

async function cli(dataDir: string, ...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, await cliEnv(dataDir));
  return { code, out, err };
}

function failsWith(t: { is: Function; regex: Function; not: Function }, r: Run, re: RegExp) {
  t.not(r.code, 0);
  t.is(r.out.length, 0);
  t.is(r.err.length, 1);
  t.regex(r.err[0], re);
}

test('user add, token create, stats --json, token revoke', async (t) => {
  const dir = tempDir();
  const added = await cli(dir, 'user', 'add', 'alice', '--role', 'admin', '--name', 'Alice A', '--email', 'alice@example.com');
  t.is(added.code, 0);
  t.like(JSON.parse(added.out[0]), { login: 'alice', role: 'admin' });
  const tok = await cli(dir, 'token', 'create', 'alice', '--name', 'laptop');
  t.is(tok.code, 0);
  const created = JSON.parse(tok.out[0]);
  t.deepEqual(Object.keys(created), ['user_id', 'token']);
  t.is(typeof created.user_id, 'number');
  t.true(Buffer.from(created.token.replace(/^tbk_/, ''), 'base64url').length >= 32, 'at least 32 random bytes');
  const stats = await cli(dir, 'stats', 'alice', '--json');
  t.is(stats.code, 0);
  const s = JSON.parse(stats.out[0]);
  t.deepEqual(Object.keys(s), ['login', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'total_tokens', 'events', 'sessions', 'active_days', 'cost_usd', 'unknown_models', 'models']);
  t.is(s.login, 'alice');
  t.is(s.total_tokens, 0);
  const revoked = await cli(dir, 'token', 'revoke', 'alice', '--name', 'laptop');
  t.is(revoked.code, 0);
  t.regex(revoked.out[0], /revoked 1 token/);
  failsWith(t, await cli(dir, 'token', 'revoke', 'alice', '--name', 'laptop'), /no live token named "laptop"/);
});

test('the token is stored encrypted, never in clear', async (t) => {
  const dir = tempDir();
  await cli(dir, 'user', 'add', 'bob');
  const { token } = JSON.parse((await cli(dir, 'token', 'create', 'bob')).out[0]);
  const db = await openDb(loadConfig({ env: await cliEnv(dir) }));
  const rows = await db.sql.all<{ secret_enc: string }>('SELECT secret_enc FROM agent_tokens');
  await db.close();
  t.is(rows.length, 1);
  t.false(rows[0].secret_enc.includes(token));
  t.false(rows[0].secret_enc.includes(token.slice(4, 20)));
  t.regex(rows[0].secret_enc, /^v1\./);
});

test('bad input: one clear line on stderr and a non-zero exit', async (t) => {
  const dir = tempDir();
  await cli(dir, 'user', 'add', 'carol');
  failsWith(t, await cli(dir, 'user', 'add', 'dave', '--role', 'boss'), /role: "boss" is not a role; use one of member, manager, admin/);
  failsWith(t, await cli(dir, 'user', 'add', 'carol'), /user carol already exists/);
  failsWith(t, await cli(dir, 'user', 'add', 'bad login!'), /not a valid login/);
  failsWith(t, await cli(dir, 'user', 'add', 'erin', '--email', 'nope'), /email/);
  failsWith(t, await cli(dir, 'user', 'add'), /missing argument/);
  failsWith(t, await cli(dir, 'token', 'create', 'nobody'), /no user with login "nobody"/);
  failsWith(t, await cli(dir, 'stats', 'nobody', '--json'), /no user with login "nobody"/);
  failsWith(t, await cli(dir, 'price', 'set', 'm1', '--input', '-1', '--output', '2'), /--input: a price cannot be negative/);
  failsWith(t, await cli(dir, 'price', 'set', 'm1', '--input', 'abc', '--output', '2'), /--input: "abc" is not a number/);
  failsWith(t, await cli(dir, 'price', 'set', 'm1', '--input', '1'), /--output is required/);
  failsWith(t, await cli(dir, 'price', 'set', 'm1', '--input', '1', '--output', '2', '--cache-read', '-0.5'), /--cache-read: a price cannot be negative/);
  failsWith(t, await cli(dir, 'frobnicate'), /unknown command "frobnicate"/);
  failsWith(t, await cli(dir, 'user', 'add', 'x', '--colour', 'red'), /colour/);
  const usage = await cli(dir);
  t.is(usage.code, 2);
});

test('price set and list; a new price shows up', async (t) => {
  const dir = tempDir();
  const set = await cli(dir, 'price', 'set', 'acme-coder-9', '--input', '0.5', '--output', '2', '--cache-read', '0.05');
  t.is(set.code, 0);
  t.regex(set.out[0], /added acme-coder-9/);
  const again = await cli(dir, 'price', 'set', 'acme-coder-9', '--input', '0.6', '--output', '2');
  t.regex(again.out[0], /updated acme-coder-9: input 0.6, output 2, cache read 0.05/);
  const list = await cli(dir, 'price', 'list', '--json');
  const prices = JSON.parse(list.out[0]);
  t.like(prices.find((p: { model: string }) => p.model === 'acme-coder-9'), { input: 0.6, output: 2, cache_read: 0.05, cache_write_1h: null });
  // The 1-hour cache write price: set on its own, kept by a later set that leaves it out.
  const oneHour = await cli(dir, 'price', 'set', 'acme-coder-9', '--input', '0.6', '--output', '2', '--cache-write', '0.75', '--cache-write-1h', '1.2');
  t.regex(oneHour.out[0], /cache write 0.75, 1-hour cache write 1.2 \(USD per million tokens\)/);
  await cli(dir, 'price', 'set', 'acme-coder-9', '--input', '0.6', '--output', '2');
  const kept = JSON.parse((await cli(dir, 'price', 'list', '--json')).out[0]);
  t.like(kept.find((p: { model: string }) => p.model === 'acme-coder-9'), { cache_write: 0.75, cache_write_1h: 1.2 });
  failsWith(t, await cli(dir, 'price', 'set', 'acme-coder-9', '--input', '1', '--output', '2', '--cache-write-1h=-3'), /--cache-write-1h: a price cannot be negative/);
  t.true(prices.length > 80, 'seeded from the public list prices');
  const text = await cli(dir, 'price', 'list');
  t.true(text.out.some((l) => l.includes('claude-haiku-4-5')));
});

test('backup writes a consistent SQLite copy and refuses to overwrite (on PostgreSQL it points to pg_dump)', async (t) => {
  const dir = tempDir();
  await cli(dir, 'user', 'add', 'frank');
  const dest = join(tempDir(), 'backup.sqlite');
  if (ENGINE === 'postgres') {
    failsWith(t, await cli(dir, 'backup', dest), /only for SQLite; use pg_dump/);
    return;
  }
  const r = await cli(dir, 'backup', dest);
  t.is(r.code, 0);
  t.true(existsSync(dest));
  const db = new sqlite3.Database(dest);
  const rows = await new Promise<{ login: string }[]>((ok, fail) => db.all('SELECT login FROM users', (e, x) => (e ? fail(e) : ok(x as never))));
  db.close();
  t.deepEqual(rows.map((x) => x.login), ['frank']);
  failsWith(t, await cli(dir, 'backup', dest), /already exists/);
});

test('migrate reports what it did', async (t) => {
  const dir = tempDir();
  await emptyDatabaseFor(dir);
  const first = await cli(dir, 'migrate');
  t.regex(first.out[0], /applied: 20261122-01-initial/);
  const second = await cli(dir, 'migrate');
  t.is(second.out[0], 'database is up to date');
});

test('as a process: config errors and bad input exit non-zero with one stderr line', async (t) => {
  const dirEnv = await cliEnv(tempDir());
  const run = (args: string[], env: Record<string, string>) => spawnSync(process.execPath, ['--import=tsx', join(ROOT, 'src/cli.ts'), ...args], {
    env: { PATH: process.env.PATH!, ...dirEnv, ...env }, encoding: 'utf8',
  });
  const bad = run(['user', 'add', 'zed', '--role', 'root'], {});
  t.not(bad.status, 0);
  t.is(bad.stderr.trim().split('\n').length, 1);
  t.regex(bad.stderr, /role: "root" is not a role/);
  const cfg = run(['migrate'], { TOKENBOARD_SERVER_PORT: 'abc', TOKENBOARD_ORG_TIMEZONE: 'Nowhere/City' });
  t.is(cfg.status, 78);
  const lines = cfg.stderr.trim().split('\n');
  t.is(lines.length, 2);
  t.regex(lines[0], /server\.port \(from TOKENBOARD_SERVER_PORT\)/);
  t.regex(lines[1], /org\.timezone/);
});
