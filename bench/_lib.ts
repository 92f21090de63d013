// Shared bench plumbing: start the built server as a child process, print figures.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../src/paths.ts';

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

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts `node dist/src/cli.js serve` on a free loopback port; resolves once it listens. */
export function startServerProcess(dataDir: string, port: number): Promise<ServerProcess> {
  const cli = ensureBuilt();
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...prof, cli, 'serve'], {
    env: { PATH: process.env.PATH, TOKENBOARD_SERVER_DATA_DIR: dataDir, TOKENBOARD_SERVER_PORT: String(port), TOKENBOARD_SERVER_HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.length > 100_000) log = log.slice(-10_000);
      if (/listening url=/.test(log)) {
        resolve({
          child, url: `http://127.0.0.1:${port}`,
          stop: () => new Promise((ok) => { child.once('exit', () => { if (process.env.BENCH_DEBUG) console.error(log.slice(-3000)); ok(); }); child.kill('SIGTERM'); }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${log.slice(-2000)}`)));
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
