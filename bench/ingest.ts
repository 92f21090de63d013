// `npm run bench -- ingest`: 8 concurrent clients post signed 500-event batches over HTTP
// to the built server (its own process) for ~10 s; in the same run, the same rows go
// straight into the same tables with sqlite3 (one transaction per batch: events insert +
// rollup upsert), which is the machine's limit. Targets: ≥ 50,000 events/s end to end and
// ≥ 40% of the raw rate.
import http from 'node:http';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { signedHeaders, type WireEvent } from '../agent/wire.ts';
import { main as cli } from '../src/cli.ts';
import { figure, freePort, startServerProcess, tempDataDir } from './_lib.ts';

const CLIENTS = 8;
const BATCH = 500;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-5', 'gemini-2.5-pro', 'claude-opus-4-5'];

function makeBatch(client: number, n: number, now: number): WireEvent[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    ts: now - (i % 86_400) * 1000, provider: i % 5 === 2 ? 'openai' : 'anthropic', model: MODELS[i % 5], is_local: false,
    input_tokens: 1000 + i, output_tokens: 200 + i, cache_read_tokens: 5000, cache_write_tokens: i % 7 === 0 ? 300 : 0,
    id: `c${client}-b${n}-e${i}`, source: 'claude-code', session: `sess-${client}-${Math.floor(n / 10)}`,
  }));
}

async function user(dataDir: string, login: string): Promise<{ user_id: number; token: string }> {
  const out: string[] = [];
  const env = { TOKENBOARD_SERVER_DATA_DIR: dataDir };
  await cli(['user', 'add', login], { out: (s) => out.push(s), err: (s) => console.error(s) }, env);
  await cli(['token', 'create', login], { out: (s) => out.push(s), err: (s) => console.error(s) }, env);
  return JSON.parse(out[1]);
}

async function endToEnd(): Promise<{ rate: number; events: number }> {
  const dataDir = tempDataDir();
  const users: { user_id: number; token: string }[] = [];
  for (let c = 0; c < CLIENTS; c++) users.push(await user(dataDir, `bench${c}`));
  const server = await startServerProcess(dataDir, await freePort());
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const now = Date.now();
  // Bodies are made before the clock starts so the clients measure the server, not JSON.stringify.
  const perClient = Math.ceil((SECONDS * 120_000) / BATCH / CLIENTS);
  const bodies = Array.from({ length: CLIENTS }, (_, c) => Array.from({ length: perClient }, (_, n) => JSON.stringify({ events: makeBatch(c, n, now) })));
  const post = (c: number, body: string) => new Promise<number>((resolve, reject) => {
    const req = http.request(`${server.url}/api/ingest`, { method: 'POST', agent, headers: { ...signedHeaders(users[c].user_id, users[c].token, body), 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text).accepted) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  let events = 0;
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    for (let n = 0; n < perClient && performance.now() < deadline; n++) {
      // Not `events += await …`: that reads `events` before the await and loses the
      // other clients' additions.
      const accepted = await post(c, bodies[c][n]);
      events += accepted;
    }
  }));
  const secs = (performance.now() - start) / 1000;
  agent.destroy();
  await server.stop();
  return { rate: events / secs, events };
}

function run(db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<void> {
  return new Promise((ok, fail) => db.run(sql, params, (e) => (e ? fail(e) : ok())));
}

async function rawSqlite(): Promise<{ rate: number; events: number }> {
  // A migrated database with the same schema, written with plain sqlite3 calls: statements
  // prepared once, parameters built before the clock starts, one transaction per batch.
  const dataDir = tempDataDir();
  await user(dataDir, 'raw');
  const db = new sqlite3.Database(join(dataDir, 'tokenboard.sqlite'));
  await run(db, 'PRAGMA journal_mode=WAL');
  await run(db, 'PRAGMA synchronous=NORMAL');
  const cols = 'user_id,event_id,ts,day,provider,model,is_local,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,source,session_hash,skills,tier,received_at';
  const one = `(${Array(16).fill('?').join(',')})`;
  const insert = db.prepare(`INSERT INTO usage_events (${cols}) VALUES ${Array(BATCH).fill(one).join(',')} ON CONFLICT (user_id, event_id) DO NOTHING`);
  const rollupSql = (n: number) => `INSERT INTO daily_rollups (user_id, day, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events)
      VALUES ${Array(n).fill(`(${Array(12).fill('?').join(',')})`).join(',')}
      ON CONFLICT (user_id, day, provider, model, source, is_local, tier) DO UPDATE SET input_tokens = input_tokens + excluded.input_tokens,
      output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
      cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, events = events + excluded.events`;
  const now = Date.now();
  const batches = Array.from({ length: Math.ceil((SECONDS * 200_000) / BATCH) }, (_, n) => {
    const params: unknown[] = [];
    const roll = new Map<string, number[]>();
    for (const e of makeBatch(0, n, now)) {
      const day = new Date(e.ts).toISOString().slice(0, 10);
      params.push(1, e.id, e.ts, day, e.provider, e.model, 0, e.input_tokens, e.output_tokens, e.cache_read_tokens, e.cache_write_tokens, e.source, e.session, null, 0, now);
      const k = `${day}|${e.provider}|${e.model}`;
      const s = roll.get(k) ?? [0, 0, 0, 0, 0];
      s[0] += e.input_tokens; s[1] += e.output_tokens; s[2] += e.cache_read_tokens; s[3] += e.cache_write_tokens; s[4]++;
      roll.set(k, s);
    }
    const rp: unknown[] = [];
    for (const [k, s] of roll) { const [day, provider, model] = k.split('|'); rp.push(1, day, provider, model, 'claude-code', 0, 0, ...s); }
    return { params, rp, groups: roll.size };
  });
  const rollups = new Map<number, sqlite3.Statement>();
  const stmtRun = (st: sqlite3.Statement, p: unknown[]) => new Promise<void>((ok, fail) => st.run(p, (e) => (e ? fail(e) : ok())));
  let events = 0;
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  for (const b of batches) {
    if (performance.now() >= deadline) break;
    let st = rollups.get(b.groups);
    if (!st) rollups.set(b.groups, (st = db.prepare(rollupSql(b.groups))));
    await run(db, 'BEGIN IMMEDIATE');
    await stmtRun(insert, b.params);
    await stmtRun(st, b.rp);
    await run(db, 'COMMIT');
    events += BATCH;
  }
  const secs = (performance.now() - start) / 1000;
  for (const st of [insert, ...rollups.values()]) await new Promise<void>((ok) => st.finalize(() => ok()));
  await new Promise<void>((ok) => db.close(() => ok()));
  return { rate: events / secs, events };
}

export default async function ingestBench(): Promise<void> {
  const e2e = await endToEnd();
  const raw = await rawSqlite();
  figure('ingest', 'events_per_s', {
    value: Math.round(e2e.rate), events: e2e.events, clients: CLIENTS, batch: BATCH, seconds: SECONDS,
    baseline: Math.round(raw.rate), baseline_name: 'raw sqlite3 insert, same rows and tables',
    ratio: +(e2e.rate / raw.rate).toFixed(3), target: { events_per_s: 50_000, ratio: 0.4 },
  });
}
