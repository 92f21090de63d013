// `npm run bench -- pages [--db postgres]`: server time of the leaderboard (unfiltered and
// filtered) and a profile at ~10 million events, next to the same pages on a ~10k-event
// database in the same run, on SQLite or PostgreSQL.
//
// Both databases hold the same 1,000 people, so the ratio shows what event volume costs
// (the pages should cost per person shown, not per event stored). Large: 365 days × ~85%
// active × 5 models per day ≈ 1.5M rollup rows ≈ 10.8M events. Small: ~10 events per
// person over 30 days. Seeded with direct SQL (bench/_pages-seed.ts), checked against the
// ledger by test/bench-seed.test.ts.
//
// Server time: the app runs in this process (startServer) and every request is timed by
// the server's own access-log middleware (the `ms=` of its log line: from the first
// middleware to the body being ready, session check, access table and rendering included,
// socket write excluded). Requests are sequential over loopback with a signed-in session,
// alternating between the two databases' servers.
//
// Each page is measured four ways: `first` (the first request of the process), warm (p50,
// p95 over BENCH_RUNS requests in a row: the per-row caches full), cold (cold_p50, cold_p95
// over BENCH_COLD_RUNS requests, each the first after a write: before each one the bench
// adds a message of today to everyone the page shows (today's rows, plain and per facet,
// and their all-time rows) and bumps the usage version, in one transaction, as their ingest
// would; so the figures cache and every shown row's cached details are stale, as on a live
// server where everyone on the page just sent usage), and backfill-cold (backfill_cold_p50,
// backfill_cold_p95 over BENCH_BACKFILL_RUNS requests after a write to each shown person's
// latest day in the window, which may be weeks old, as their ingest of a backfill writes it
// (a first install's history, a laptop back online): the settled version moves, naming
// those people, so the window's settled sums of those people are read again), and
// global-cold (global_cold_p50, global_cold_p95, as many requests, after the same write
// with a move of settled that names nobody, as re-pricing, an import or a rebuild make: no
// cache of the window's settled days holds). Each figure also prints the machine's load average: the servers share its
// cores with whatever else runs.
// Targets: p95 ≤ 50 ms per page and large/small p95 ratio ≤ 2; filtered views cold_p95 ≤ 50 ms.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../src/paths.ts';
import { loadConfig } from '../src/config.ts';
import { startServer, type Running } from '../src/server.ts';
import { createLogger } from '../src/log.ts';
import { createLoginLink } from '../src/auth/login-links.ts';
import { requireUser } from '../src/users/users.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { bumpSettledFor, bumpVersion, bumpWrite } from '../src/db/repos/versions.ts';
import { lastSettledDay } from '../src/ledger/settled.ts';
import { addDays } from '../src/usage/days.ts';
import { cores, engine, figure, HttpSession, newStore, percentile, signInWithLink, type Store } from './_lib.ts';
import type { SeedPlan, Seeded } from './_pages-seed.ts';

/** Seeds in a child process (see _pages-seed.ts): millions of rows' garbage stays there. */
function seed(store: Store, plan: SeedPlan): Seeded {
  const out = execFileSync(process.execPath, ['--import=tsx', join(ROOT, 'bench/_pages-seed.ts'), JSON.stringify(store.overrides()), JSON.stringify(plan)],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Seeded;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 40);
const BACKFILL_RUNS = Number(process.env.BENCH_BACKFILL_RUNS ?? 20);
const WARMUP = 5;

const LARGE: SeedPlan = { users: 1000, days: 365, activeShare: 0.85, modelsPerDay: 5, eventsPerRollup: 6 };
const SMALL: SeedPlan = { users: 1000, days: 30, activeShare: 0.33, modelsPerDay: 1, eventsPerRollup: 1 };

interface Timing { p50: number; p95: number; cold_p50: number; cold_p95: number; backfill_p50: number; backfill_p95: number; global_p50: number; global_p95: number; first: number; bytes: number; shown: number; load: number }

/** Signs in through a one-time link, as a person would. */
async function signIn(running: Running, login: string): Promise<HttpSession> {
  const { db } = running.services;
  const link = (await createLoginLink(db, await requireUser(db, login), `http://127.0.0.1:${running.port}`, CLI_ACTOR)).url;
  return (await signInWithLink(link)).session;
}

interface Target {
  running: Running;
  /** Server-side milliseconds of one request (its access-log line), and the body. */
  serverMs(path: string, headers?: Record<string, string>): Promise<{ ms: number; body: string }>;
  /** A write that changes these people's figures in every window and filter (see the top of this file). */
  touch(userIds: number[], kind: 'live' | 'backfill' | 'global'): Promise<void>;
}

async function start(store: Store): Promise<Target> {
  const lines: string[] = [];
  const cfg = loadConfig({ env: {}, overrides: { 'server.host': '127.0.0.1', 'server.port': 0, ...store.overrides() } });
  const running = await startServer(cfg, { log: createLogger((l) => { lines.push(l); }), firstStartAdmin: false });
  const session = await signIn(running, 'dev0001');
  const { db } = running.services;
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
      return { ms, body };
    },
    async touch(ids, kind) {
      const today = running.services.calendar().dayOf(Date.now());
      const who = `user_id IN (${ids.map(() => '?').join(',')})`;
      await db.transaction(async (tx) => {
        if (ids.length && kind === 'live') {
          // Today's usage, as ingest stores it: today's rows grow (or start), the all-time
          // rows too, and only the usage version moves (ledger/settled.ts).
          await tx.run(`INSERT INTO user_days (user_id, day, input_tokens, events) SELECT id, ?, 1, 1 FROM users WHERE id IN (${ids.map(() => '?').join(',')})
                         ON CONFLICT (user_id, day) DO UPDATE SET input_tokens = user_days.input_tokens + 1, events = user_days.events + 1`, [today, ...ids]);
          await tx.run(`INSERT INTO user_day_facets (user_id, facet, day, tokens, events) SELECT user_id, facet, ?, 1, 1 FROM user_facet_totals WHERE ${who}
                         ON CONFLICT (user_id, facet, day) DO UPDATE SET tokens = user_day_facets.tokens + 1, events = user_day_facets.events + 1`, [today, ...ids]);
        }
        if (ids.length && kind !== 'live') {
          // A late write to each person's latest day in the window, which may be any day.
          const from = addDays(today, -29);
          await tx.run(`UPDATE user_days SET input_tokens = input_tokens + 1
                         WHERE (user_id, day) IN (SELECT user_id, MAX(day) FROM user_days WHERE ${who} AND day >= ? GROUP BY user_id)`, [...ids, from]);
          await tx.run(`UPDATE user_day_facets SET tokens = tokens + 1
                         WHERE (user_id, facet, day) IN (SELECT user_id, facet, MAX(day) FROM user_day_facets WHERE ${who} AND day >= ? GROUP BY user_id, facet)`, [...ids, from]);
        }
        if (ids.length) {
          await tx.run(`UPDATE user_totals SET input_tokens = input_tokens + 1 WHERE ${who}`, ids);
          await tx.run(`UPDATE user_facet_totals SET tokens = tokens + 1 WHERE ${who}`, ids);
          await tx.run(`UPDATE rollup_totals SET input_tokens = input_tokens + 1 WHERE ${who}`, ids);
        }
        if (kind === 'global') await bumpVersion(tx, 'usage');
        else {
          const b = bumpWrite('usage');
          await tx.run(b.text, b.params);
          // A backfill batch per person moves settled naming that person (ledger/write.ts); the
          // span given covers the window's settled days, wider than the day written.
          if (kind === 'backfill') for (const id of ids) await bumpSettledFor(tx, id, addDays(today, -29), lastSettledDay(today));
        }
      });
    },
  };
}

type Paths = Record<string, { path: string; headers?: Record<string, string>; filtered?: boolean }>;

/** The people a page shows: its rows (dev0042 is user 42, see _pages-seed.ts), or the profile's person. */
function shown(path: string, body: string): number[] {
  const ids = new Set([...body.matchAll(/data-login="dev(\d+)"/g)].map((m) => Number(m[1])));
  const profile = /^\/u\/dev(\d+)/.exec(path);
  if (profile) ids.add(Number(profile[1]));
  return [...ids];
}

function timing(xs: number[]): { p50: number; p95: number } {
  const v = [...xs].sort((a, b) => a - b);
  return { p50: percentile(v, 50), p95: percentile(v, 95) };
}

/**
 * Both servers run side by side and their requests alternate (large, small, large, …), so
 * a burst of load from elsewhere on the machine hits both sides alike and the ratio holds.
 */
async function measure(targets: [Target, Paths][]): Promise<Record<string, Timing>[]> {
  const out: Record<string, Timing>[] = targets.map(() => ({}));
  const names = Object.keys(targets[0][1]);
  const get = (k: number, name: string) => { const [t, paths] = targets[k]; return t.serverMs(paths[name].path, paths[name].headers); };
  for (const name of names) {
    const first: number[] = [];
    for (let k = 0; k < targets.length; k++) first.push((await get(k, name)).ms);
    for (let i = 0; i < WARMUP; i++) for (let k = 0; k < targets.length; k++) await get(k, name);
    const warm: number[][] = targets.map(() => []);
    const cold: number[][] = targets.map(() => []);
    const backfill: number[][] = targets.map(() => []);
    const global: number[][] = targets.map(() => []);
    const bodies: string[] = targets.map(() => '');
    for (let i = 0; i < RUNS; i++) {
      for (let k = 0; k < targets.length; k++) {
        const r = await get(k, name);
        warm[k].push(r.ms);
        bodies[k] = r.body;
      }
    }
    const people = targets.map(([, paths], k) => shown(paths[name].path, bodies[k]));
    for (let i = 0; i < COLD_RUNS; i++) {
      for (let k = 0; k < targets.length; k++) {
        await targets[k][0].touch(people[k], 'live');
        cold[k].push((await get(k, name)).ms);
      }
    }
    for (let i = 0; i < BACKFILL_RUNS; i++) {
      for (let k = 0; k < targets.length; k++) {
        await targets[k][0].touch(people[k], 'backfill');
        backfill[k].push((await get(k, name)).ms);
      }
    }
    for (let i = 0; i < BACKFILL_RUNS; i++) {
      for (let k = 0; k < targets.length; k++) {
        await targets[k][0].touch(people[k], 'global');
        global[k].push((await get(k, name)).ms);
      }
    }
    targets.forEach((_, k) => {
      const w = timing(warm[k]);
      const c = timing(cold[k]);
      const b = timing(backfill[k]);
      const g = timing(global[k]);
      out[k][name] = { ...w, cold_p50: c.p50, cold_p95: c.p95, backfill_p50: b.p50, backfill_p95: b.p95, global_p50: g.p50, global_p95: g.p95, first: first[k], bytes: bodies[k].length, shown: people[k].length, load: loadavg()[0] };
    });
  }
  return out;
}

const FILTERS: Record<string, string> = {
  'provider=anthropic': 'provider=anthropic',
  'tool=claude-code': 'tool=claude-code',
  'source=provider': 'source=provider',
  'source=device': 'source=device',
  'source=self-reported': 'source=self-reported',
  'team=core': 'team=core',
};

function pathsFor(busiest: string): Paths {
  const paths: Paths = {
    'GET / window=30d': { path: '/?window=30d' },
    'GET / window=all': { path: '/?window=all' },
    'GET / window=30d live table (HX-Target: lb-table)': { path: '/?window=30d', headers: { 'hx-request': 'true', 'hx-target': 'lb-table' } },
    'GET /u/:login window=30d': { path: `/u/${busiest}?window=30d` },
    'GET /u/:login window=all': { path: `/u/${busiest}?window=all` },
  };
  for (const [name, q] of Object.entries(FILTERS)) {
    for (const w of ['30d', 'all']) paths[`GET / window=${w} ${name}`] = { path: `/?window=${w}&${q}`, filtered: true };
  }
  return paths;
}

export default async function pagesBench(): Promise<void> {
  const db = engine();
  const stores: Store[] = [];
  try {
    const [largeStore, smallStore] = [await newStore(), await newStore()];
    stores.push(largeStore, smallStore);
    const t0 = performance.now();
    const large = seed(largeStore, LARGE);
    const seedSecs = (performance.now() - t0) / 1000;
    const small = seed(smallStore, SMALL);
    // The profile measured is the busiest person of each database.
    const [bigServer, smallServer] = [await start(largeStore), await start(smallStore)];
    const bigPaths = pathsFor(large.busiest);
    let big: Record<string, Timing>;
    let little: Record<string, Timing>;
    try {
      [big, little] = await measure([[bigServer, bigPaths], [smallServer, pathsFor(small.busiest)]]);
    } finally {
      await bigServer.running.stop();
      await smallServer.running.stop();
    }
    for (const name of Object.keys(big)) {
      const b = big[name];
      const s = little[name];
      const okWarm = b.p95 <= 50 && b.p95 / s.p95 <= 2;
      const okCold = b.cold_p95 <= 50 && b.cold_p95 / s.cold_p95 <= 2;
      figure('pages', name, {
        db, unit: 'ms (server time: access-log middleware, in-process server)',
        p50: round(b.p50), p95: round(b.p95), cold_p50: round(b.cold_p50), cold_p95: round(b.cold_p95),
        backfill_cold_p50: round(b.backfill_p50), backfill_cold_p95: round(b.backfill_p95),
        global_cold_p50: round(b.global_p50), global_cold_p95: round(b.global_p95), first: round(b.first),
        baseline_p50: round(s.p50), baseline_p95: round(s.p95), baseline_cold_p50: round(s.cold_p50), baseline_cold_p95: round(s.cold_p95),
        baseline_backfill_cold_p95: round(s.backfill_p95), baseline_global_cold_p95: round(s.global_p95), baseline_first: round(s.first),
        baseline_name: `same pages, ${small.events} events`,
        ratio_p95: round(b.p95 / s.p95), ratio_cold_p95: round(b.cold_p95 / s.cold_p95),
        runs: RUNS, cold_runs: COLD_RUNS, backfill_runs: BACKFILL_RUNS, html_bytes: b.bytes, people_shown: b.shown, load_avg_1m: round(b.load), cores: cores(),
        events: large.events, rollups: large.rollups, people: LARGE.users,
        target: { p95_ms: 50, ratio: 2, ...(bigPaths[name].filtered ? { cold_p95_ms: 50 } : {}) },
        ok_warm: okWarm, ok_cold: okCold,
        ok: bigPaths[name].filtered ? b.cold_p95 <= 50 && okWarm : okWarm,
      });
    }
    figure('pages', 'seed', {
      db, unit: 's', value: round(seedSecs), events: large.events, rollups: large.rollups, user_days: large.userDays, user_day_facets: large.facetDays,
      sessions: large.sessions, tables: large.tables, small_tables: small.tables,
    });
  } finally {
    for (const st of stores) st.remove();
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
