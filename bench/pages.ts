// `npm run bench -- pages`: server time of the leaderboard and a profile at ~10 million
// events, next to the same pages on a ~10k-event database in the same run.
//
// Both databases hold the same 1,000 people, so the ratio shows what event volume costs
// (the pages should cost per person shown, not per event stored). Large: 365 days × ~85%
// active × 5 models per day ≈ 1.5M rollup rows ≈ 10.8M events. Small: ~10 events per
// person over 30 days. Seeded with direct SQL (bench/_pages-seed.ts).
//
// Server time: the app runs in this process (startServer) and every request is timed by
// the server's own access-log middleware (the `ms=` of its log line: from the first
// middleware to the body being ready, session check, access table and rendering included,
// socket write excluded). Requests are sequential over loopback with a signed-in session,
// alternating between the two databases' servers.
// Targets: p95 ≤ 50 ms per page, and large/small p95 ratio ≤ 2.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../src/paths.ts';
import { loadConfig } from '../src/config.ts';
import { startServer, type Running } from '../src/server.ts';
import { createLogger } from '../src/log.ts';
import { createLoginLink } from '../src/auth/login-links.ts';
import { requireUser } from '../src/users/users.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { figure, percentile, tempDataDir } from './_lib.ts';
import type { SeedPlan, Seeded } from './_pages-seed.ts';

/** Seeds in a child process (see _pages-seed.ts): millions of rows' garbage stays there. */
function seed(dir: string, plan: SeedPlan): Seeded {
  const out = execFileSync(process.execPath, ['--import=tsx', join(ROOT, 'bench/_pages-seed.ts'), dir, JSON.stringify(plan)], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Seeded;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const WARMUP = 5;

const LARGE: SeedPlan = { users: 1000, days: 365, activeShare: 0.85, modelsPerDay: 5, eventsPerRollup: 6 };
const SMALL: SeedPlan = { users: 1000, days: 30, activeShare: 0.33, modelsPerDay: 1, eventsPerRollup: 1 };

interface Timing { p50: number; p95: number; cold: number; bytes: number }

class Session {
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

/** Signs in through a one-time link, as a person would. */
async function signIn(running: Running, login: string): Promise<Session> {
  const { db } = running.services;
  const link = new URL((await createLoginLink(db, await requireUser(db, login), running.url, CLI_ACTOR)).url);
  const s = new Session(`http://127.0.0.1:${running.port}`);
  const page = await (await s.fetch(link.pathname + link.search)).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1] ?? '';
  const done = await s.fetch('/login/link', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ code: link.searchParams.get('code')!, _csrf: csrf }).toString() });
  if (done.status !== 303) throw new Error(`sign-in answered ${done.status}`);
  return s;
}

interface Target {
  running: Running;
  /** Server-side milliseconds of one request (its access-log line), and the body size. */
  serverMs(path: string, headers?: Record<string, string>): Promise<{ ms: number; bytes: number }>;
}

async function start(db: Seeded): Promise<Target> {
  const lines: string[] = [];
  const cfg = loadConfig({ env: {}, overrides: { 'server.host': '127.0.0.1', 'server.port': 0, 'server.data_dir': db.dataDir } });
  const running = await startServer(cfg, { log: createLogger((l) => { lines.push(l); }) });
  const session = await signIn(running, 'dev0001');
  return {
    running,
    async serverMs(path, headers = {}) {
      const before = lines.length;
      const res = await session.fetch(path, { headers: { accept: 'text/html', ...headers } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 300)}`);
      const line = lines.slice(before).reverse().find((l) => / http method=GET /.test(l));
      const ms = Number(/ ms=([\d.]+)/.exec(line ?? '')?.[1]);
      if (!Number.isFinite(ms)) throw new Error(`no access-log line for ${path}`);
      return { ms, bytes: body.length };
    },
  };
}

type Paths = Record<string, { path: string; headers?: Record<string, string> }>;

/**
 * Both servers run side by side and their requests alternate (large, small, large, …), so
 * a burst of load from elsewhere on the machine hits both sides alike and the ratio holds.
 */
async function measure(targets: [Target, Paths][]): Promise<Record<string, Timing>[]> {
  const out: Record<string, Timing>[] = targets.map(() => ({}));
  const names = Object.keys(targets[0][1]);
  for (const name of names) {
    const colds: number[] = [];
    for (const [t, paths] of targets) colds.push((await t.serverMs(paths[name].path, paths[name].headers)).ms);
    for (let i = 0; i < WARMUP; i++) for (const [t, paths] of targets) await t.serverMs(paths[name].path, paths[name].headers);
    const xs: number[][] = targets.map(() => []);
    const bytes: number[] = targets.map(() => 0);
    for (let i = 0; i < RUNS; i++) {
      for (let k = 0; k < targets.length; k++) {
        const [t, paths] = targets[k];
        const r = await t.serverMs(paths[name].path, paths[name].headers);
        xs[k].push(r.ms);
        bytes[k] = r.bytes;
      }
    }
    xs.forEach((v, k) => {
      v.sort((a, b) => a - b);
      out[k][name] = { p50: percentile(v, 50), p95: percentile(v, 95), cold: colds[k], bytes: bytes[k] };
    });
  }
  return out;
}

export default async function pagesBench(): Promise<void> {
  const dirs: string[] = [];
  try {
    const t0 = performance.now();
    const large = seed(dirs[dirs.push(tempDataDir()) - 1], LARGE);
    const seedSecs = (performance.now() - t0) / 1000;
    const small = seed(dirs[dirs.push(tempDataDir()) - 1], SMALL);
    const pathsFor = (busiest: string) => ({
      'GET / window=30d': { path: '/?window=30d' },
      'GET / window=all': { path: '/?window=all' },
      'GET / window=30d live table (HX-Target: lb-table)': { path: '/?window=30d', headers: { 'hx-request': 'true', 'hx-target': 'lb-table' } },
      'GET /u/:login window=30d': { path: `/u/${busiest}?window=30d` },
      'GET /u/:login window=all': { path: `/u/${busiest}?window=all` },
    });
    // The profile measured is the busiest person of each database.
    const [bigServer, smallServer] = [await start(large), await start(small)];
    let big: Record<string, Timing>;
    let little: Record<string, Timing>;
    try {
      [big, little] = await measure([[bigServer, pathsFor(large.busiest)], [smallServer, pathsFor(small.busiest)]]);
    } finally {
      await bigServer.running.stop();
      await smallServer.running.stop();
    }
    for (const name of Object.keys(big)) {
      const b = big[name];
      const s = little[name];
      figure('pages', name, {
        unit: 'ms (server time: access-log middleware, in-process server)',
        p50: round(b.p50), p95: round(b.p95), cold: round(b.cold),
        baseline_p50: round(s.p50), baseline_p95: round(s.p95), baseline_cold: round(s.cold),
        baseline_name: `same pages, ${small.events} events`,
        ratio_p95: round(b.p95 / s.p95),
        runs: RUNS, html_bytes: b.bytes,
        events: large.events, rollups: large.rollups, people: LARGE.users,
        target: { p95_ms: 50, ratio: 2 },
        ok: b.p95 <= 50 && b.p95 / s.p95 <= 2,
      });
    }
    figure('pages', 'seed', { unit: 's', value: round(seedSecs), events: large.events, rollups: large.rollups, user_days: large.userDays, sessions: large.sessions });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
