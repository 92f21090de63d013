// `npm run bench -- collector`: a generated ~100 MB Claude Code corpus (streamed messages
// written as several growing lines, tool results, subagent sidechains, resumed sessions
// copying messages). Figures: full scan time and MB/s, a rescan with nothing new, peak
// RSS (the scan runs bundled, in its own process, as users run it), and whether the totals
// equal the corpus's own truth; in the same run ccusage (`claude daily --offline --json`)
// on the same corpus when a ccusage binary is available (CCUSAGE_BIN, node_modules/.bin, the
// pinned one installed into .bench/, or PATH), with the time ratio (medians of BENCH_ROUNDS
// interleaved runs, 5 by default). Targets: identical totals, time ≤ 1.0× ccusage's,
// rescan ≤ 50 ms, RSS ≤ 80 MB.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from '../src/paths.ts';
import { figure, percentile, rng } from './_lib.ts';
import { CCUSAGE_VERSION, pinnedCcusage } from '../scripts/cached-install.ts';

const TARGET_MB = Number(process.env.BENCH_CORPUS_MB ?? 100);


interface Truth { input: number; output: number; cacheRead: number; cacheWrite: number; messages: number }

const WORDS = 'the of and to in is that for it as with was on be by this are or at from have an but not what all were when we there can use each which do how their if will up other about out many then them these so some her would make like him into time has look two more go see number no way could people my than first been call who oil its now find long down day did get come made may part'.split(' ');

function text(r: () => number, bytes: number): string {
  let s = '';
  while (s.length < bytes) s += `${WORDS[Math.floor(r() * WORDS.length)]} `;
  return s;
}

function uuid(r: () => number): string {
  const h = () => Math.floor(r() * 0x10000).toString(16).padStart(4, '0');
  return `${h()}${h()}-${h()}-4${h().slice(1)}-8${h().slice(1)}-${h()}${h()}${h()}`;
}

/** Writes the corpus; returns the totals it contains (each message once, final counts). */
function generate(root: string): { truth: Truth; bytes: number; files: number } {
  const r = rng(42);
  const truth: Truth = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, messages: 0 };
  let bytes = 0;
  let files = 0;
  const start = Date.parse('2026-09-01T00:00:00Z');
  const copies: string[] = []; // lines a later session resumes from
  const models = ['claude-sonnet-4-5-20250929', 'claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001'];
  let n = 0;
  const old = new Date(Date.now() - 3 * 86_400_000);
  for (let p = 0; bytes < TARGET_MB * 1024 * 1024; p++) {
    const dir = join(root, 'projects', `-home-dev-project-${p}`);
    mkdirSync(dir, { recursive: true });
    for (let s = 0; s < 25 && bytes < TARGET_MB * 1024 * 1024; s++) {
      const sid = uuid(r);
      const path = join(dir, `${sid}.jsonl`);
      const fd = openSync(path, 'w');
      const write = (o: unknown): void => {
        const line = `${JSON.stringify(o)}\n`;
        bytes += Buffer.byteLength(line);
        writeSync(fd, line);
      };
      const base = { parentUuid: null, isSidechain: false, userType: 'external', cwd: `/home/dev/project-${p}`, sessionId: sid, version: '2.1.190', gitBranch: 'main' };
      let ts = start + Math.floor(r() * 60) * 86_400_000 + Math.floor(r() * 86_400_000);
      // A resumed session starts with copies of earlier messages (same ids: counted once).
      if (s % 7 === 3 && copies.length) for (const c of copies.splice(0, 5)) { bytes += Buffer.byteLength(c); writeSync(fd, c); }
      const turns = 20 + Math.floor(r() * 20);
      for (let t = 0; t < turns; t++) {
        ts += 5_000 + Math.floor(r() * 60_000);
        write({ ...base, type: 'user', uuid: uuid(r), timestamp: new Date(ts).toISOString(), message: { role: 'user', content: text(r, 300 + Math.floor(r() * 500)) } });
        const id = `msg_${(++n).toString(36).padStart(10, '0')}`;
        const req = `req_${n.toString(36).padStart(10, '0')}`;
        const model = models[n % 3];
        const input = 1 + Math.floor(r() * 50);
        const cacheRead = Math.floor(r() * 60_000);
        const cacheWrite = Math.floor(r() * 4_000);
        const output = 50 + Math.floor(r() * 2_000);
        const blocks = 1 + Math.floor(r() * 3);
        let line = '';
        for (let b = 0; b < blocks; b++) {
          // Streamed: every block line repeats the ids; output grows to its final value.
          const out = b === blocks - 1 ? output : Math.floor((output * (b + 1)) / (blocks + 1));
          line = `${JSON.stringify({ ...base, type: 'assistant', uuid: uuid(r), timestamp: new Date(ts + b * 500).toISOString(), requestId: req,
            message: { id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: text(r, 400 + Math.floor(r() * 1200)) }], stop_reason: b === blocks - 1 ? 'end_turn' : null, stop_sequence: null,
              usage: { input_tokens: input, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead, cache_creation: { ephemeral_5m_input_tokens: cacheWrite, ephemeral_1h_input_tokens: 0 }, output_tokens: out, service_tier: 'standard' } } })}\n`;
          bytes += Buffer.byteLength(line);
          writeSync(fd, line);
        }
        if (r() < 0.05) copies.push(line);
        truth.input += input; truth.output += output; truth.cacheRead += cacheRead; truth.cacheWrite += cacheWrite; truth.messages++;
        write({ ...base, type: 'user', uuid: uuid(r), timestamp: new Date(ts + 2000).toISOString(), message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${n}`, content: text(r, 500 + Math.floor(r() * 1500)), is_error: false }] } });
      }
      closeSync(fd);
      utimesSync(path, old, old);
      files++;
    }
  }
  return { truth, bytes, files };
}

// The agent CLI's heap setting is applied first, as \`node tokenboard-agent.mjs collect\` does.
const ENTRY = `
import { useSmallYoungGeneration } from './agent/cli/heap.ts';
useSmallYoungGeneration();
import { scanLogs } from './agent/collectors/index.ts';
import { logRootsFrom } from './agent/config.ts';
const [stateDir, root] = process.argv.slice(2);
// Every other tool's roots point at a folder that does not exist: only the corpus is read.
const roots = { ...logRootsFrom({}, '/nonexistent-home'), claude: [root], codex: [], gemini: [], opencode: [] };
const salt = Buffer.alloc(32, 1);
const totals = (events) => events.reduce((t, e) => { t.input += e.input_tokens; t.output += e.output_tokens; t.cacheRead += e.cache_read_tokens; t.cacheWrite += e.cache_write_tokens; t.messages++; return t; }, { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, messages: 0 });
let t0 = performance.now();
const startMs = t0; // since the process started: Node's start-up and loading this file
const full = scanLogs({ stateDir, roots, salt });
full.commit();
const fullMs = performance.now() - t0;
const sum = totals(full.events);
const rescans = [];
for (let i = 0; i < 5; i++) {
  t0 = performance.now();
  const again = scanLogs({ stateDir, roots, salt });
  again.commit();
  rescans.push({ ms: performance.now() - t0, events: again.events.length });
}
rescans.sort((a, b) => a.ms - b.ms);
console.log(JSON.stringify({ startMs, fullMs, totals: sum, rescanMs: rescans[2].ms, rescanEvents: rescans[2].events, maxRssKb: process.resourceUsage().maxRSS }));
`;

function findCcusage(): string | null {
  const candidates = [process.env.CCUSAGE_BIN, join(ROOT, 'node_modules/.bin/ccusage')].filter(Boolean) as string[];
  for (const c of candidates) if (existsSync(c)) return c;
  const pinned = pinnedCcusage();
  if (pinned) return pinned;
  const which = spawnSync('sh', ['-c', 'command -v ccusage'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

export default async function collectorBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-collector-'));
  try {
    await measure(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true }); // the corpus is 100 MB
  }
}

// The machine's noise is as large as the difference being measured (the same scan took
// 440-730 ms in one sitting), so both sides run ROUNDS times, interleaved, and the
// medians are compared.
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

interface ScanOut { startMs: number; fullMs: number; totals: Truth; rescanMs: number; rescanEvents: number; maxRssKb: number }

async function measure(dir: string): Promise<void> {
  const corpus = join(dir, 'claude');
  const { truth, bytes, files } = generate(corpus);
  const bundle = join(dir, 'scan.mjs');
  await build({ stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts', sourcefile: 'bench-scan.ts' }, outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
  const bin = findCcusage();
  const runs: ScanOut[] = [];
  const ccRuns: { ms: number; totals: Record<string, number> }[] = [];
  let ccFailed = false;
  for (let i = 0; i < ROUNDS; i++) {
    const state = join(dir, `state-${i}`); // a first scan every time
    runs.push(JSON.parse(execFileSync(process.execPath, [bundle, state, join(corpus, 'projects')], { encoding: 'utf8', maxBuffer: 1 << 26 })));
    if (!bin) continue;
    const t1 = performance.now();
    const res = spawnSync(bin, ['claude', 'daily', '--offline', '--json'], { encoding: 'utf8', env: { ...process.env, CLAUDE_CONFIG_DIR: corpus }, maxBuffer: 1 << 26 });
    const ms = performance.now() - t1;
    if (res.status !== 0) {
      ccFailed = true;
      continue;
    }
    const t = JSON.parse(res.stdout).totals;
    ccRuns.push({ ms, totals: { input: t.inputTokens, output: t.outputTokens, cacheRead: t.cacheReadTokens, cacheWrite: t.cacheCreationTokens } });
  }
  const out = { ...runs[0], fullMs: median(runs.map((x) => x.fullMs)), rescanMs: median(runs.map((x) => x.rescanMs)), maxRssKb: Math.max(...runs.map((x) => x.maxRssKb)), commandMs: median(runs.map((x) => x.startMs + x.fullMs)) };
  const cc = ccRuns.length && !ccFailed ? { ms: median(ccRuns.map((x) => x.ms)), totals: ccRuns[0].totals } : null;
  const mb = bytes / 1024 / 1024;
  const same = runs.every((x) => JSON.stringify(x.totals) === JSON.stringify(truth));
  const r = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

  const ccNote = bin ? (cc ? undefined : 'ccusage failed on the corpus') : `ccusage ${CCUSAGE_VERSION} could not be installed; set CCUSAGE_BIN to compare`;
  // The scan is timed inside the agent's process; ccusage's figure is its whole process.
  // Beside it: the agent's start-up plus scan, i.e. what `collect` costs on a first run.
  figure('collector', 'full_scan_ms', {
    value: r(out.fullMs), corpus_mb: r(mb), files, rounds: ROUNDS, baseline: cc ? r(cc.ms) : null, ratio: cc ? r(out.fullMs / cc.ms, 2) : null, target_ratio: 1.0,
    with_startup_ms: r(out.commandMs), with_startup_ratio: cc ? r(out.commandMs / cc.ms, 2) : null, ...(ccNote ? { note: ccNote } : {}),
  });
  figure('collector', 'scan_mb_per_s', { value: r(mb / (out.fullMs / 1000)) });
  figure('collector', 'rescan_nothing_new_ms', { value: r(out.rescanMs, 2), events: out.rescanEvents, target: 50 });
  figure('collector', 'peak_rss_mb', { value: r(out.maxRssKb / 1024), target: 80 });
  figure('collector', 'totals_identical', {
    value: same && (!cc || ccRuns.every(({ totals: t }) => t.input === truth.input && t.output === truth.output && t.cacheRead === truth.cacheRead && t.cacheWrite === truth.cacheWrite)),
    agent: out.totals, corpus_truth: truth, ccusage: cc?.totals ?? null,
  });
}
