// `npm run bench -- first-install`: a first `collect` on a machine with a year of Claude
// Code history (60,000 messages, bench/_corpus.ts), against the real server built from
// this repo (its own process, a fresh SQLite database per round), whole processes as the
// user runs them: from `node tokenboard-agent.mjs collect` starting to its exit, which is
// when the server has every event. Target ≤ 3 s.
//
// Beside it, in the same run:
//   - the floor: the same events, already signed into 500-event bodies, posted by a bare
//     client to a fresh server as the agent paces them (two on the wire at a time): what
//     the server itself needs;
//   - whether the first install starves the server for other agents: another user's
//     agent posts a one-event batch every 25 ms throughout, and its latency while the
//     first install runs is set against its latency on an idle server.
// Rounds: BENCH_ROUNDS (3 by default), interleaved; medians.
import http from 'node:http';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireEvent } from '../agent/wire.ts';
import { IN_FLIGHT } from '../agent/sender.ts';
import { accounts, buildAgentBundle, figure, freePort, median, percentile, postSigned, startServerProcess, statsOf, tempDataDir, timedRun, type Account, type ServerProcess } from './_lib.ts';
import { claudeCorpus } from './_corpus.ts';
import { ROOT } from '../src/paths.ts';

const MESSAGES = Number(process.env.BENCH_EVENTS ?? 60_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const PROBE_MS = 25;

const dirEnv = (dataDir: string) => ({ TOKENBOARD_SERVER_DATA_DIR: dataDir });
const account = async (dataDir: string, login: string): Promise<Account> => (await accounts(dirEnv(dataDir), [login]))[0];
const statsOfOne = async (dataDir: string, login: string) => (await statsOf(dirEnv(dataDir), [login]))[0];

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });

async function post(url: string, acct: Account, body: string): Promise<number> {
  const r = await postSigned(url, acct, body, keepAlive);
  if (r.status !== 200) throw new Error(`ingest answered ${r.status}`);
  return r.status;
}

/** Another agent's small batches every PROBE_MS until stopped; their latencies. */
function probe(url: string, acct: Account): { stop(): Promise<number[]> } {
  const lat: number[] = [];
  let n = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const body = JSON.stringify({ events: [{ ts: Date.now() - 1000, provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false, input_tokens: 10, output_tokens: 5, cache_read_tokens: 0, cache_write_tokens: 0, id: `probe-${process.pid}-${n++}`, source: 'proxy' }] });
      const t0 = performance.now();
      await post(url, acct, body);
      lat.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, PROBE_MS));
    }
  })();
  return { stop: async () => { running = false; await loop; return lat; } };
}

interface Round { agentMs: number; floorMs: number; stored: number; busyP50: number; busyP99: number; idleP50: number; idleP99: number }

async function withServer<T>(fn: (server: ServerProcess, dataDir: string, me: Account, other: Account) => Promise<T>): Promise<T> {
  const dataDir = tempDataDir();
  try {
    const me = await account(dataDir, 'newcomer');
    const other = await account(dataDir, 'colleague');
    const server = await startServerProcess(dataDir, await freePort());
    try {
      return await fn(server, dataDir, me, other);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function runCollect(bundle: string, env: Record<string, string>): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bundle, 'collect'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, code, stderr }));
  });
}

export default async function firstInstall(): Promise<void> {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }); // the server as this repo has it now
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-first-'));
  try {
    const bundle = buildAgentBundle(join(dir, 'tokenboard-agent.mjs'));
    const corpus = join(dir, 'claude');
    // A year of history ending an hour ago, with short texts (the scan is not what is measured here).
    const written = claudeCorpus.generate(corpus, { messages: MESSAGES, days: 365, endMs: Date.now() - 3_600_000, textScale: 0.1 });
    const home = join(dir, 'home');
    mkdirSync(home);
    const baseEnv = { PATH: process.env.PATH ?? '', HOME: home, ...claudeCorpus.env(corpus) };
    // The floor's bodies: exactly the events the agent sends, in its order and batch size.
    const dry = timedRun(process.execPath, [bundle, 'collect', '--dry-run', '--json'], { ...baseEnv, TOKENBOARD_STATE_DIR: join(dir, 'dry') });
    const events: WireEvent[] = dry.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += 500) bodies.push(JSON.stringify({ events: events.slice(i, i + 500) }));

    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await withServer(async (server, dataDir, me, other) => {
        const idle = probe(server.url, other);
        await new Promise((ok) => setTimeout(ok, 1500));
        const idleLat = (await idle.stop()).sort((a, b) => a - b);
        const busy = probe(server.url, other);
        const run = await runCollect(bundle, { ...baseEnv, TOKENBOARD_STATE_DIR: join(dir, `state-${i}`), TOKENBOARD_SERVER: server.url, TOKENBOARD_USER: String(me.user_id), TOKENBOARD_TOKEN: me.token });
        const busyLat = (await busy.stop()).sort((a, b) => a - b);
        if (run.code !== 0 || !/the server has everything/.test(run.stderr)) throw new Error(`first-install bench: collect did not finish (${run.code}): ${run.stderr.slice(-500)}`);
        const stats = await statsOfOne(dataDir, 'newcomer');
        return { agentMs: run.ms, stored: stats.events, busyP50: percentile(busyLat, 50), busyP99: percentile(busyLat, 99), idleP50: percentile(idleLat, 50), idleP99: percentile(idleLat, 99) };
      });
      const floorMs = await withServer(async (server, _d, me) => {
        const t0 = performance.now();
        // As the agent paces them: IN_FLIGHT on the wire, the next posted as one is answered.
        let next = 0;
        await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
          while (next < bodies.length) await post(server.url, me, bodies[next++]);
        }));
        return performance.now() - t0;
      });
      rounds.push({ ...r, floorMs });
    }
    keepAlive.destroy();
    const r1 = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
    const agentMs = median(rounds.map((x) => x.agentMs));
    const floorMs = median(rounds.map((x) => x.floorMs));
    figure('first-install', 'collect_60k_events_ms', {
      value: r1(agentMs), target: 3000, events: events.length, stored_by_server: rounds.map((x) => x.stored), messages_in_logs: written.truth.messages,
      baseline: r1(floorMs), baseline_name: `the same signed 500-event bodies posted ${IN_FLIGHT} at a time by a bare client (the agent's pacing)`, ratio: r1(agentMs / floorMs, 2), rounds: ROUNDS,
    });
    figure('first-install', 'other_agent_latency_during_first_install_ms', {
      p50: r1(median(rounds.map((x) => x.busyP50)), 2), p99: r1(median(rounds.map((x) => x.busyP99)), 2),
      baseline_p50: r1(median(rounds.map((x) => x.idleP50)), 2), baseline_p99: r1(median(rounds.map((x) => x.idleP99)), 2), baseline_name: 'the same one-event posts to the idle server',
      ratio_p99: r1(median(rounds.map((x) => x.busyP99)) / median(rounds.map((x) => x.idleP99)), 2), every_ms: PROBE_MS, rounds: ROUNDS,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
