// `npm run bench -- ingest [--db postgres]`: 8 concurrent clients post signed 500-event
// batches over HTTP to the built server (its own process) for ~10 s; in the same run, the
// same rows go straight into the same tables of the same engine (one transaction per
// batch: events insert + rollup upsert), which is the machine's limit for those rows.
//
// SQLite: sqlite3 calls, one writer. Targets: ≥ 50,000 events/s end to end and ≥ 40% of raw.
// PostgreSQL (a throwaway durable server: fsync and synchronous commit on for both sides):
// the raw rows written by 8 `pg` connections, then the server as one replica, then as two
// `tokenboard serve` processes on the same database (own data dirs, one secret key) with
// the clients spread over them. Targets: one replica ≥ 40% of raw; two replicas ≥ 1.3× one
// where the machine has the cores for it (printed: two servers, PostgreSQL and the
// clients share them).
import { rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import type { WireEvent } from '../agent/wire.ts';
import { accounts, cores, engine, figure, freePort, newStore, postgresCpuMs, postSigned, processCpuMs, startServerProcess, tableSizes, tempDataDir, type Account, type ServerProcess, type Store, type TableSizes } from './_lib.ts';

const CLIENTS = 8;
const BATCH = 500;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-5', 'gemini-2.5-pro', 'claude-opus-4-5'];
/** Two replicas can only add throughput with a core each, one for PostgreSQL and one for the clients. */
const CORES_FOR_TWO = 4;

function makeBatch(client: number, n: number, now: number): WireEvent[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    ts: now - (i % 86_400) * 1000, provider: i % 5 === 2 ? 'openai' : 'anthropic', model: MODELS[i % 5], is_local: false,
    input_tokens: 1000 + i, output_tokens: 200 + i, cache_read_tokens: 5000, cache_write_tokens: i % 7 === 0 ? 300 : 0,
    ...(i % 14 === 0 ? { cache_write_1h_tokens: 100 } : {}),
    id: `c${client}-b${n}-e${i}`, source: 'claude-code', session: `sess-${client}-${Math.floor(n / 10)}`,
  }));
}

async function user(store: Store, login: string): Promise<Account> {
  return (await accounts(store.env(), [login]))[0];
}

/**
 * CPU ms per 1,000 events stored, over the timed window: the TokenBoard servers, the
 * PostgreSQL server (every backend) and the bench's own clients. On a machine whose cores
 * are all busy (2 here: servers, database and clients share them) the rate follows from
 * these, and they move much less from run to run than the rate does.
 */
interface CpuPer1k { servers?: number; database?: number; clients: number }

interface Rate { rate: number; events: number; sizes?: TableSizes; cpu?: CpuPer1k }

/** Starts counting CPU time; `per1k(events)` gives what was used since, per 1,000 events. */
async function cpuMeter(pids: number[], pg: boolean): Promise<{ per1k(events: number): Promise<CpuPer1k> }> {
  const ofServers = () => pids.reduce((t, p) => t + (processCpuMs(p) ?? NaN), 0);
  const ofUs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const s0 = ofServers();
  const d0 = pg ? await postgresCpuMs() : null;
  const c0 = ofUs();
  return {
    async per1k(events) {
      const per = (ms: number) => +((ms * 1000) / events).toFixed(1);
      const s = ofServers() - s0;
      const d = d0 === null ? null : (await postgresCpuMs()) ?? NaN;
      return { ...(pids.length && Number.isFinite(s) ? { servers: per(s) } : {}), ...(d !== null && d0 !== null && Number.isFinite(d) ? { database: per(d - d0) } : {}), clients: per(ofUs() - c0) };
    },
  };
}

/** The clients against `replicas` server processes on one store; client c posts to replica c mod replicas. */
async function endToEnd(replicas: number): Promise<Rate> {
  const store = await newStore();
  const users = await accounts(store.env(), Array.from({ length: CLIENTS }, (_, c) => `bench${c}`));
  const dirs = [store.dataDir, ...Array.from({ length: replicas - 1 }, () => tempDataDir())];
  const servers: ServerProcess[] = [];
  for (const dir of dirs) servers.push(await startServerProcess(store.env(dir), await freePort()));
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const now = Date.now();
  // Bodies are made before the clock starts so the clients measure the server, not JSON.stringify.
  const perClient = Math.ceil((SECONDS * 120_000) / BATCH / CLIENTS);
  const bodies = Array.from({ length: CLIENTS }, (_, c) => Array.from({ length: perClient }, (_, n) => JSON.stringify({ events: makeBatch(c, n, now) })));
  const post = async (c: number, body: string): Promise<number> => {
    const r = await postSigned(servers[c % servers.length].url, users[c], body, agent);
    if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
    return JSON.parse(r.text).accepted;
  };
  let events = 0;
  const meter = await cpuMeter(servers.map((s) => s.child.pid!), store.engine === 'postgres');
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
  const cpu = await meter.per1k(events);
  agent.destroy();
  for (const s of servers) await s.stop();
  // What a stored event costs on disk.
  const sizes = await tableSizes(store.database, STORED);
  store.remove();
  for (const d of dirs.slice(1)) rmSync(d, { recursive: true, force: true });
  return { rate: events / secs, events, sizes, cpu };
}

const STORED = ['usage_events'];

/** Bytes on disk per stored raw event (the row with its index). Rollups and the read model grow per person-day, not per event: see the pages bench. */
function storage(r: Rate): Record<string, number> {
  const e = r.sizes!.usage_events;
  return { raw_event_bytes: +(e.bytes / e.rows).toFixed(1), rows_stored: e.rows };
}

// ---- the raw baseline: the same rows with the engine's own driver

const EVENT_COLS = 'user_id,event_id,ts,day,provider,model,is_local,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cache_write_1h_tokens,source,session_hash,skills,tier,received_at';
const ROLLUP_COLS = 'user_id, day, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, events';
const ROLLUP_UPSERT = `ON CONFLICT (user_id, day, provider, model, source, is_local, tier) DO UPDATE SET input_tokens = r.input_tokens + excluded.input_tokens,
  output_tokens = r.output_tokens + excluded.output_tokens, cache_read_tokens = r.cache_read_tokens + excluded.cache_read_tokens,
  cache_write_tokens = r.cache_write_tokens + excluded.cache_write_tokens, cache_write_1h_tokens = r.cache_write_1h_tokens + excluded.cache_write_1h_tokens,
  events = r.events + excluded.events`;

interface RawBatch { events: unknown[]; rollups: unknown[]; groups: number }

/** One batch's parameters: its events, and its rollup groups (day, provider, model) summed. */
function rawBatch(userId: number, client: number, n: number, now: number, isLocal: boolean | number): RawBatch {
  const params: unknown[] = [];
  const roll = new Map<string, number[]>();
  for (const e of makeBatch(client, n, now)) {
    const day = new Date(e.ts).toISOString().slice(0, 10);
    const oneHour = e.cache_write_1h_tokens ?? 0;
    params.push(userId, e.id, e.ts, day, e.provider, e.model, isLocal, e.input_tokens, e.output_tokens, e.cache_read_tokens, e.cache_write_tokens, oneHour, e.source, e.session, null, 0, now);
    const k = `${day}|${e.provider}|${e.model}`;
    const s = roll.get(k) ?? [0, 0, 0, 0, 0, 0];
    s[0] += e.input_tokens; s[1] += e.output_tokens; s[2] += e.cache_read_tokens; s[3] += e.cache_write_tokens; s[4] += oneHour; s[5]++;
    roll.set(k, s);
  }
  const rp: unknown[] = [];
  for (const [k, s] of [...roll].sort()) { const [day, provider, model] = k.split('|'); rp.push(userId, day, provider, model, 'claude-code', isLocal, 0, ...s); }
  return { events: params, rollups: rp, groups: roll.size };
}

function run(db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<void> {
  return new Promise((ok, fail) => db.run(sql, params, (e) => (e ? fail(e) : ok())));
}

async function rawSqlite(): Promise<Rate> {
  // A migrated database with the same schema, written with plain sqlite3 calls: statements
  // prepared once, parameters built before the clock starts, one transaction per batch.
  const store = await newStore('sqlite');
  const { user_id } = await user(store, 'raw');
  const db = new sqlite3.Database(join(store.dataDir, 'tokenboard.sqlite'));
  await run(db, 'PRAGMA journal_mode=WAL');
  await run(db, 'PRAGMA synchronous=NORMAL');
  const one = `(${Array(17).fill('?').join(',')})`;
  const insert = db.prepare(`INSERT INTO usage_events (${EVENT_COLS}) VALUES ${Array(BATCH).fill(one).join(',')} ON CONFLICT (user_id, event_id) DO NOTHING`);
  const rollupSql = (n: number) => `INSERT INTO daily_rollups AS r (${ROLLUP_COLS}) VALUES ${Array(n).fill(`(${Array(13).fill('?').join(',')})`).join(',')} ${ROLLUP_UPSERT}`;
  const now = Date.now();
  const batches = Array.from({ length: Math.ceil((SECONDS * 200_000) / BATCH) }, (_, n) => rawBatch(user_id, 0, n, now, 0));
  const rollups = new Map<number, sqlite3.Statement>();
  const stmtRun = (st: sqlite3.Statement, p: unknown[]) => new Promise<void>((ok, fail) => st.run(p, (e) => (e ? fail(e) : ok())));
  let events = 0;
  const meter = await cpuMeter([], false);
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  for (const b of batches) {
    if (performance.now() >= deadline) break;
    let st = rollups.get(b.groups);
    if (!st) rollups.set(b.groups, (st = db.prepare(rollupSql(b.groups))));
    await run(db, 'BEGIN IMMEDIATE');
    await stmtRun(insert, b.events);
    await stmtRun(st, b.rollups);
    await run(db, 'COMMIT');
    events += BATCH;
  }
  const secs = (performance.now() - start) / 1000;
  const cpu = await meter.per1k(events);
  for (const st of [insert, ...rollups.values()]) await new Promise<void>((ok) => st.finalize(() => ok()));
  await new Promise<void>((ok) => db.close(() => ok()));
  store.remove();
  return { rate: events / secs, events, cpu };
}

const pgMarks = (cols: number, rows: number, from = 1) =>
  Array.from({ length: rows }, (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${from + r * cols + c}`).join(',')})`).join(',');

async function rawPostgres(): Promise<Rate> {
  // A migrated database with the same schema, written by CLIENTS `pg` connections at once
  // (each its own person, as the HTTP clients are): named statements (prepared once per
  // connection), parameters built before the clock starts, one transaction per batch.
  const store = await newStore('postgres');
  const ids: number[] = [];
  for (const a of await accounts(store.env(), Array.from({ length: CLIENTS }, (_, c) => `raw${c}`))) ids.push(a.user_id);
  const now = Date.now();
  const perClient = Math.ceil((SECONDS * 250_000) / BATCH / CLIENTS);
  const batches = ids.map((id, c) => Array.from({ length: perClient }, (_, n) => rawBatch(id, c, n, now, false)));
  const insert = { name: 'raw_events', text: `INSERT INTO usage_events (${EVENT_COLS}) VALUES ${pgMarks(17, BATCH)} ON CONFLICT (user_id, event_id) DO NOTHING` };
  const rollup = (n: number) => ({ name: `raw_rollups_${n}`, text: `INSERT INTO daily_rollups AS r (${ROLLUP_COLS}) VALUES ${pgMarks(13, n)} ${ROLLUP_UPSERT}` });
  const clients = await Promise.all(ids.map(async () => { const c = new pg.Client({ connectionString: store.url! }); await c.connect(); return c; }));
  let events = 0;
  const meter = await cpuMeter([], true);
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await Promise.all(clients.map(async (db, c) => {
    for (const b of batches[c]) {
      if (performance.now() >= deadline) return;
      await db.query('BEGIN');
      await db.query({ ...insert, values: b.events });
      await db.query({ ...rollup(b.groups), values: b.rollups });
      await db.query('COMMIT');
      events += BATCH;
    }
    console.error('ingest: a raw PostgreSQL client ran out of batches before the deadline: the rate is too low');
  }));
  const secs = (performance.now() - start) / 1000;
  const cpu = await meter.per1k(events);
  await Promise.all(clients.map((c) => c.end()));
  store.remove();
  return { rate: events / secs, events, cpu };
}

export default async function ingestBench(): Promise<void> {
  const common = { clients: CLIENTS, batch: BATCH, seconds: SECONDS, cores: cores() };
  if (engine() === 'sqlite') {
    const e2e = await endToEnd(1);
    const raw = await rawSqlite();
    figure('ingest', 'events_per_s', {
      db: 'sqlite', value: Math.round(e2e.rate), events: e2e.events, ...common,
      baseline: Math.round(raw.rate), baseline_name: 'raw sqlite3 insert, same rows and tables',
      ratio: +(e2e.rate / raw.rate).toFixed(3), target: { events_per_s: 50_000, ratio: 0.4 },
      cpu_ms_per_1k_events: e2e.cpu, baseline_cpu_ms_per_1k_events: raw.cpu,
      ok: e2e.rate >= 50_000 && e2e.rate / raw.rate >= 0.4,
    });
    figure('ingest', 'storage', { db: 'sqlite', unit: 'bytes per stored event', ...storage(e2e) });
    return;
  }
  const raw = await rawPostgres();
  const one = await endToEnd(1);
  const two = await endToEnd(2);
  figure('ingest', 'events_per_s', {
    db: 'postgres', replicas: 1, value: Math.round(one.rate), events: one.events, ...common,
    baseline: Math.round(raw.rate), baseline_name: `raw pg insert, same rows and tables, ${CLIENTS} connections, durable commits`,
    ratio: +(one.rate / raw.rate).toFixed(3), target: { ratio: 0.4 }, ok: one.rate / raw.rate >= 0.4,
    cpu_ms_per_1k_events: one.cpu, baseline_cpu_ms_per_1k_events: raw.cpu,
  });
  figure('ingest', 'events_per_s_two_replicas', {
    db: 'postgres', replicas: 2, value: Math.round(two.rate), events: two.events, ...common,
    baseline: Math.round(one.rate), baseline_name: 'one replica, same run',
    ratio: +(two.rate / one.rate).toFixed(3), target: { ratio: 1.3, applies_from_cores: CORES_FOR_TWO },
    cpu_ms_per_1k_events: two.cpu,
    ok: cores() < CORES_FOR_TWO ? null : two.rate / one.rate >= 1.3,
  });
  figure('ingest', 'storage', { db: 'postgres', unit: 'bytes per stored event', ...storage(one) });
}
