// Shared bench and drill plumbing: the engine a run is on (`--db sqlite|postgres`), a store
// (data dir, and on PostgreSQL a database of its own on a throwaway server), the built
// server and the bundled agent as child processes, accounts, sign-in and signed posts over
// HTTP, figures printed as JSON lines.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import { ROOT } from '../src/paths.ts';
import { startCluster, type Cluster } from '../scripts/pg-cluster.ts';
import { loadConfig } from '../src/config.ts';
import { createServices, type Services } from '../src/services.ts';
import { createLogger } from '../src/log.ts';
import { addUser, requireUser, type Role } from '../src/users/users.ts';
import { createToken } from '../src/users/tokens.ts';
import { createLoginLink } from '../src/auth/login-links.ts';
import { userStats, type UserStats } from '../src/usage/stats.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { signedHeaders } from '../agent/wire.ts';

export function figure(bench: string, name: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, figure: name, ...fields }));
}

export function ensureBuilt(): string {
  const cli = join(ROOT, 'dist/src/cli.js');
  if (!existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  return cli;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tb-bench-'));
}

export type Engine = 'sqlite' | 'postgres';

/** The command line after `npm run bench --`: benchmark names, and `--db ENGINE` (or --db=ENGINE). */
export function benchArgs(argv = process.argv.slice(2)): { names: string[]; engine: Engine } {
  const names: string[] = [];
  let engine = process.env.BENCH_DB ?? 'sqlite';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--db') engine = argv[++i] ?? '';
    else if (a.startsWith('--db=')) engine = a.slice(5);
    else if (!a.startsWith('-')) names.push(a);
  }
  if (engine !== 'sqlite' && engine !== 'postgres') {
    console.error(`bench: --db takes sqlite or postgres, not "${engine}"`);
    process.exit(2);
  }
  return { names, engine };
}

export const engine = (): Engine => benchArgs().engine;

/**
 * `npm run bench|drill [-- NAME…]`: runs each module NAME.ts of `dir` (every one when none
 * is named; files starting with `_` are helpers). A module whose default export resolves
 * to false failed its target; the process then exits non-zero.
 */
export async function runModules(dir: string, kind: string): Promise<void> {
  const all = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
  const wanted = benchArgs().names;
  const names = wanted.length ? wanted : all;
  for (const name of names) {
    if (!all.includes(name)) {
      console.error(`${kind}: no ${kind} named "${name}"; available: ${all.join(', ')}`);
      process.exit(2);
    }
  }
  const failed: string[] = [];
  for (const name of names) {
    const mod = await import(pathToFileURL(join(dir, `${name}.ts`)).href);
    if (typeof mod.default === 'function' && (await mod.default()) === false) failed.push(name);
  }
  if (failed.length) {
    console.error(`${kind}: failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

/**
 * CPU time (user + system, ms) a process has used, from /proc (Linux); with `reaped`, also
 * that of its children it has waited for. Null where /proc is not there.
 */
export function processCpuMs(pid: number, reaped = false): number | null {
  const f = statFields(pid);
  return f ? cpuOfStat(f, reaped) : null;
}

/** /proc/PID/stat after the command's closing parenthesis (field 3 on: state, ppid, …), or null. */
function statFields(pid: number | string): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return null; // not there (gone, or no /proc)
  }
}

// utime is the 12th field after the parenthesis; stime, cutime, cstime follow.
const cpuOfStat = (f: string[], reaped: boolean): number =>
  ((Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) * 1000) / CLOCK_TICKS;

// USER_HZ: 100 on every Linux build that matters here (getconf CLK_TCK).
const CLOCK_TICKS = 100;

/**
 * CPU time (ms) of the bench's PostgreSQL server so far: the postmaster, its live children
 * (backends, writers) and the children it has reaped (backends of closed connections).
 * Null where /proc is not there or the server is not running.
 */
export async function postgresCpuMs(): Promise<number | null> {
  const pid = (await benchCluster()).pid();
  if (!pid) return null;
  let total = processCpuMs(pid, true);
  if (total === null) return null;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || d === String(pid)) continue;
    const f = statFields(d);
    if (f && f[1] === String(pid)) total += cpuOfStat(f, false);
  }
  return total;
}

/** Cores this process may use: the figures that scale with cores print it. */
export const cores = (): number => availableParallelism();

// One PostgreSQL server per bench run, durable as in production (fsync, synchronous
// commit), so the server and the raw baseline pay the same commit costs. Stopped and
// removed when the process exits.
let cluster: Promise<Cluster> | null = null;

export function benchCluster(): Promise<Cluster> {
  if (!cluster) {
    cluster = startCluster({ durable: true });
    cluster.then((c) => {
      process.once('exit', () => c.stop());
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { c.stop(); process.exit(130); });
    }, () => undefined);
  }
  return cluster;
}

/** Every process of a store gets the same key, as replicas must (see services.ts). */
const BENCH_SECRET = randomBytes(32).toString('hex');

/** Where one benchmark's data lives: a data dir, and on PostgreSQL its own database. */
export interface Store {
  engine: Engine;
  dataDir: string;
  /** database.url (PostgreSQL), or null for the data dir's SQLite file. */
  url: string | null;
  /** The PostgreSQL URL or the SQLite file (for tableSizes). */
  database: string;
  /** The environment of a `tokenboard` process on this store (another data dir: a second replica). */
  env(dataDir?: string): Record<string, string>;
  /** loadConfig overrides for an in-process server or services on this store. */
  overrides(dataDir?: string): Record<string, string>;
  remove(): void;
}

export async function newStore(e: Engine = engine()): Promise<Store> {
  const dataDir = tempDataDir();
  let url: string | null = null;
  if (e === 'postgres') {
    const c = await benchCluster();
    const name = `tb_bench_${randomBytes(5).toString('hex')}`;
    c.psql(`CREATE DATABASE ${name}`);
    url = c.url(name);
  }
  return {
    engine: e, dataDir, url, database: url ?? join(dataDir, 'tokenboard.sqlite'),
    env: (dir = dataDir) => ({
      TOKENBOARD_SERVER_DATA_DIR: dir,
      ...(url ? { TOKENBOARD_DATABASE_URL: url, TOKENBOARD_SERVER_SECRET_KEY: BENCH_SECRET } : {}),
    }),
    overrides: (dir = dataDir) => ({ 'server.data_dir': dir, ...(url ? { 'database.url': url, 'server.secret_key': BENCH_SECRET } : {}) }),
    remove() {
      rmSync(dataDir, { recursive: true, force: true });
      // The database goes with the server at exit; dropping it here would wait for the pool.
    },
  };
}

export type TableSizes = Record<string, { rows: number; bytes: number }>;

/**
 * Rows and bytes on disk (the table with its indexes) of some tables: `database` is a
 * PostgreSQL URL or a SQLite file.
 */
export async function tableSizes(database: string, tables: string[]): Promise<TableSizes> {
  const out: TableSizes = {};
  if (/^postgres(ql)?:/.test(database)) {
    const db = new pg.Client({ connectionString: database });
    await db.connect();
    try {
      for (const t of tables) {
        const r = await db.query(`SELECT COUNT(*)::bigint AS n, pg_total_relation_size('${t}')::bigint AS bytes FROM ${t}`);
        out[t] = { rows: Number(r.rows[0].n), bytes: Number(r.rows[0].bytes) };
      }
    } finally {
      await db.end();
    }
    return out;
  }
  const db = new sqlite3.Database(database, sqlite3.OPEN_READONLY);
  const all = <T>(sql: string) => new Promise<T[]>((ok, fail) => db.all(sql, (e, rows) => (e ? fail(e) : ok(rows as T[]))));
  try {
    // dbstat: the pages of every table and index; an index counts for its table.
    const pages = await all<{ tbl: string; bytes: number }>('SELECT m.tbl_name AS tbl, SUM(s.pgsize) AS bytes FROM dbstat s JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name');
    for (const t of tables) {
      const [{ n }] = await all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`);
      out[t] = { rows: n, bytes: pages.find((p) => p.tbl === t)?.bytes ?? 0 };
    }
  } finally {
    await new Promise<void>((ok) => db.close(() => ok()));
  }
  return out;
}

// Every child process started here dies with this process (a failed or interrupted run
// must not leave servers and agents behind).
const children = new Set<ChildProcess>();
let reaping = false;

function owned(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!reaping) {
    reaping = true;
    process.once('exit', () => { for (const c of children) c.kill('SIGKILL'); });
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  }
  return child;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
  /** SIGKILL: the process dies where it stands (mid-request, mid-transaction). */
  kill(): Promise<void>;
}

export interface ServerOptions {
  /** Every line the server writes on stderr (its log). */
  onLine?: (line: string) => void;
  /** A server that has not said it listens by then is killed and the start fails (default 120 s). */
  timeoutMs?: number;
}

/**
 * Starts `node dist/src/cli.js serve` on a free loopback port; resolves once it listens.
 * `store` is a data dir (SQLite) or a store's environment (Store.env()).
 */
export function startServerProcess(store: string | Record<string, string>, port: number, opts: ServerOptions = {}): Promise<ServerProcess> {
  const cli = ensureBuilt();
  const env = typeof store === 'string' ? { TOKENBOARD_SERVER_DATA_DIR: store } : store;
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = owned(spawn(process.execPath, [...prof, cli, 'serve'], {
    env: { PATH: process.env.PATH, ...env, TOKENBOARD_SERVER_PORT: String(port), TOKENBOARD_SERVER_HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  }));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  let log = '';
  let partial = '';
  let listening = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not say it listens within ${(opts.timeoutMs ?? 120_000) / 1000} s: ${log.slice(-2000)}`));
    }, opts.timeoutMs ?? 120_000);
    child.stderr!.on('data', (b: Buffer) => {
      const text = b.toString();
      log += text;
      if (log.length > 100_000) log = log.slice(-10_000);
      if (opts.onLine) {
        const lines = (partial + text).split('\n');
        partial = lines.pop()!;
        for (const l of lines) opts.onLine(l);
      }
      if (!listening && /listening url=/.test(log)) {
        listening = true;
        clearTimeout(timer);
        resolve({
          child, url: `http://127.0.0.1:${port}`,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
            if (process.env.BENCH_DEBUG) console.error(log.slice(-3000));
          },
          kill: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); if (!listening) reject(new Error(`server exited (${code}): ${log.slice(-2000)}`)); });
  });
}

/** Resident memory of a process in MB (Linux /proc), or null where there is none. */
export function rssMb(pid: number | undefined): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

// ---- accounts, sign-in and signed posts

export interface Account { login: string; user_id: number; token: string }

/** The services of a store (its environment: Store.env() or { TOKENBOARD_SERVER_DATA_DIR }), for fn, then closed. */
export async function withStore<T>(env: Record<string, string>, fn: (s: Services) => Promise<T>): Promise<T> {
  const s = await createServices(loadConfig({ env }), { log: createLogger(undefined, true) });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** People with an agent token each, as `tokenboard user add` + `token create` make them (in one process). */
export function accounts(env: Record<string, string>, logins: string[], role: Role = 'member'): Promise<Account[]> {
  return withStore(env, async (s) => {
    const out: Account[] = [];
    for (const login of logins) {
      const t = await createToken(s.db, s.sealer, await addUser(s.db, { login, role }, CLI_ACTOR), undefined, CLI_ACTOR);
      out.push({ login, user_id: t.user_id, token: t.token });
    }
    return out;
  });
}

/** What `tokenboard stats LOGIN --json` prints, for each login. */
export function statsOf(env: Record<string, string>, logins: string[]): Promise<UserStats[]> {
  return withStore(env, async (s) => Promise.all(logins.map(async (l) => userStats(s.db, await requireUser(s.db, l)))));
}

/** One-time sign-in links (what `tokenboard login-link` prints), for a server at `base`. */
export function loginLinks(env: Record<string, string>, logins: string[], base: string): Promise<string[]> {
  return withStore(env, async (s) => Promise.all(logins.map(async (l) => (await createLoginLink(s.db, await requireUser(s.db, l), base, CLI_ACTOR)).url)));
}

/** A browser's cookie jar over fetch: its session cookie comes back with every request. */
export class HttpSession {
  private cookies = new Map<string, string>();
  constructor(readonly url: string) {}
  get cookie(): string { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.url}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: this.cookie } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  }
}

/** Signs in through a one-time link as a person does (the link page, then its form); the CSRF token of the new session. */
export async function signInWithLink(link: string): Promise<{ session: HttpSession; csrf: string }> {
  const u = new URL(link);
  const s = new HttpSession(u.origin);
  const page = await (await s.fetch(u.pathname + u.search)).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1] ?? '';
  const done = await s.fetch('/login/link', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ code: u.searchParams.get('code')!, _csrf: csrf }).toString() });
  if (done.status !== 303) throw new Error(`sign-in answered ${done.status}`);
  const next = await (await s.fetch(done.headers.get('location') ?? '/')).text();
  return { session: s, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(next)?.[1] ?? csrf };
}

/** POST /api/ingest signed as the agent signs (agent/wire.ts), over a keep-alive agent when given. */
export function postSigned(url: string, acct: { user_id: number; token: string }, body: string, agent?: http.Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/ingest`, { method: 'POST', agent, headers: { ...signedHeaders(acct.user_id, acct.token, body), 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// ---- the agent and fake providers as processes of their own

/** Runs a script in a node process of its own; resolves to the port it prints. */
export function scriptProcess(script: string, arg: string, what: string): Promise<{ port: number; close(): void }> {
  const proc = owned(spawn(process.execPath, ['-e', script, arg], { stdio: ['ignore', 'pipe', 'inherit'] }));
  return new Promise((ok, fail) => {
    proc.stdout!.once('data', (b: Buffer) => ok({ port: Number(String(b).trim()), close: () => { proc.kill('SIGTERM'); } }));
    proc.once('exit', (code) => fail(new Error(`${what} exited (${code})`)));
  });
}

export interface AgentProcess {
  child: ChildProcess;
  /** Its stderr so far. */
  log(): string;
  /** SIGTERM: the agent sends what it still holds, then exits. */
  stop(): Promise<void>;
}

/**
 * The bundled agent as people run it (`node tokenboard-agent.mjs run|proxy`), with only
 * `env` (HOME, TOKENBOARD_*) and PATH; resolves once its proxy listens.
 */
export function startAgentProcess(bundle: string, command: 'run' | 'proxy', env: Record<string, string>): Promise<AgentProcess> {
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = owned(spawn(process.execPath, [...prof, bundle, command], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] }));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  let log = '';
  return new Promise((resolve, reject) => {
    let ready = false;
    child.stderr!.on('data', (b: Buffer) => {
      log += b;
      if (log.length > 200_000) log = log.slice(-20_000);
      if (!ready && log.includes('proxy listening')) {
        ready = true;
        resolve({
          child, log: () => log,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => { if (!ready) reject(new Error(`agent ${command} exited (${code}): ${log}`)); });
  });
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** A small deterministic PRNG (mulberry32), so every run generates the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds the agent bundle exactly as `npm run build` does, into `outfile` (the source as it is now). */
export function buildAgentBundle(outfile: string): string {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-agent.js'), outfile], { stdio: 'inherit' });
  return outfile;
}

export const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

export interface Timed { ms: number; code: number | null; stdout: string; stderr: string; maxRssKb: number | null; cpuMs: number | null }

const TIME_BIN = '/usr/bin/time';
const haveTime = existsSync(TIME_BIN);

/**
 * Runs a whole process to its exit, its output read through a pipe (as a shell pipe or
 * a caller would), and times it from spawn to exit. Its peak RSS and CPU time (user +
 * system, all threads) come from GNU time when the machine has it (the wrapper's own
 * cost is the same for every command).
 */
export function timedRun(cmd: string, args: string[], env: Record<string, string>): Timed {
  const wrapped = haveTime ? [TIME_BIN, ['-f', 'tb-bench-maxrss=%M cpu=%U+%S', cmd, ...args]] as const : [cmd, args] as const;
  const t0 = performance.now();
  const r = spawnSync(wrapped[0], wrapped[1], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  let stderr = r.stderr ?? '';
  let maxRssKb: number | null = null;
  let cpuMs: number | null = null;
  const m = /tb-bench-maxrss=(\d+) cpu=([\d.]+)\+([\d.]+)\s*$/.exec(stderr);
  if (m) {
    maxRssKb = Number(m[1]);
    cpuMs = (Number(m[2]) + Number(m[3])) * 1000; // user + system, 10 ms resolution
    stderr = stderr.slice(0, m.index);
  }
  return { ms, code: r.status, stdout: r.stdout ?? '', stderr, maxRssKb, cpuMs };
}
