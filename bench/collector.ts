// `npm run bench -- collector`: whole processes, as a user runs them, on a generated
// ~100 MB Claude Code corpus (bench/_corpus.ts: streamed messages written as several
// growing lines, tool results, resumed sessions copying messages, 1-hour cache writes).
//   - `node tokenboard-agent.mjs collect --dry-run --json` (the bundle `npm run build`
//     makes, its output read through a pipe) against the whole `ccusage claude daily
//     --offline --json` process (CCUSAGE_BIN, node_modules/.bin, the pinned one installed
//     into .bench/, or PATH) on the same corpus; target ≤ 1.0×;
//   - a rescan with nothing new (same command, cursors saved by an earlier `collect`),
//     whole process; target ≤ 50 ms;
//   - the agent's peak RSS during the full run; target ≤ 80 MB;
//   - whether the printed events' totals equal the corpus's own truth and ccusage's.
// Beside them, `node -e 0` as the floor every Node process pays. The machine's noise is as
// large as the differences measured, so every command runs BENCH_ROUNDS times (11 by
// default), interleaved, and medians are compared.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../src/paths.ts';
import { buildAgentBundle, figure, median, timedRun } from './_lib.ts';
import { claudeCorpus, emptyTruth, truthOf, type ToolCorpus, type Truth } from './_corpus.ts';
import { CCUSAGE_VERSION, pinnedCcusage } from '../scripts/cached-install.ts';

const TARGET_MB = Number(process.env.BENCH_CORPUS_MB ?? 100);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 11));

function findCcusage(): string | null {
  const candidates = [process.env.CCUSAGE_BIN, join(ROOT, 'node_modules/.bin/ccusage')].filter(Boolean) as string[];
  for (const c of candidates) if (existsSync(c)) return c;
  const pinned = pinnedCcusage();
  if (pinned) return pinned;
  const which = spawnSync('sh', ['-c', 'command -v ccusage'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

/**
 * One corpus: the logs of `tools`, each under its own root, read by one agent process
 * and by one ccusage process per tool (the baseline is the sum of those). Today it is
 * Claude Code alone; a corpus of every tool at once is another entry in CORPUS_SETS.
 */
interface CorpusSet { name: string; tools: readonly ToolCorpus[] }
const CORPUS_SETS: readonly CorpusSet[] = [{ name: 'claude', tools: [claudeCorpus] }];

export default async function collectorBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-collector-'));
  try {
    const bundle = buildAgentBundle(join(dir, 'tokenboard-agent.mjs'));
    const ccusage = findCcusage();
    for (const set of CORPUS_SETS) await measure(join(dir, set.name), set, bundle, ccusage);
  } finally {
    rmSync(dir, { recursive: true, force: true }); // the corpus is 100 MB
  }
}

const r1 = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

async function measure(dir: string, set: CorpusSet, bundle: string, ccusage: string | null): Promise<void> {
  const home = join(dir, 'home'); // empty: no tool outside the corpus is found
  mkdirSync(home, { recursive: true });
  const truth = emptyTruth();
  let bytes = 0;
  let files = 0;
  let toolEnv: Record<string, string> = {};
  for (const tool of set.tools) {
    const root = join(dir, tool.source);
    const w = tool.generate(root, { bytes: (TARGET_MB * 1024 * 1024) / set.tools.length });
    for (const k of Object.keys(truth) as (keyof Truth)[]) truth[k] += w.truth[k];
    bytes += w.bytes;
    files += w.files;
    toolEnv = { ...toolEnv, ...tool.env(root) };
  }
  const env = (state: string) => ({ PATH: process.env.PATH ?? '', HOME: home, TOKENBOARD_STATE_DIR: state, ...toolEnv });
  const agent = (state: string) => timedRun(process.execPath, [bundle, 'collect', '--dry-run', '--json'], env(state));

  // The rescan's state: one real `collect` (not logged in, so it queues and keeps its cursors).
  const rescanState = join(dir, 'state-rescan');
  const seeded = timedRun(process.execPath, [bundle, 'collect'], env(rescanState));
  if (!/not logged in/.test(seeded.stderr)) throw new Error(`collector bench: the seeding collect said: ${seeded.stderr}`);

  const full: number[] = [];
  const rescan: number[] = [];
  const nodeFloor: number[] = [];
  const cc: number[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  const ccCpu: number[] = [];
  let printed: Truth | null = null;
  let rescanEvents = -1;
  let ccTotals: ReturnType<ToolCorpus['ccusage']['totals']> | null = null;
  let ccProblem: string | null = ccusage ? null : `ccusage ${CCUSAGE_VERSION} could not be installed; set CCUSAGE_BIN to compare`;
  for (let i = 0; i < ROUNDS; i++) {
    const a = agent(join(dir, `state-${i}`)); // a first scan every time
    if (a.code !== 0) throw new Error(`collector bench: collect failed (${a.code}): ${a.stderr}`);
    full.push(a.ms);
    if (a.maxRssKb !== null) rss.push(a.maxRssKb);
    if (a.cpuMs !== null) cpu.push(a.cpuMs);
    if (i === 0) printed = truthOf(a.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
    if (ccusage && !ccProblem) {
      let ms = 0;
      let cpuMs = 0;
      const sum = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
      for (const tool of set.tools) {
        const c = timedRun(ccusage, tool.ccusage.args, env(join(dir, 'state-unused')));
        if (c.code !== 0) {
          ccProblem = `ccusage failed on the corpus: ${c.stderr.slice(0, 300)}`;
          break;
        }
        ms += c.ms;
        cpuMs += c.cpuMs ?? NaN;
        const t = tool.ccusage.totals(JSON.parse(c.stdout).totals);
        for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += t[k];
      }
      if (!ccProblem) {
        cc.push(ms);
        if (!Number.isNaN(cpuMs)) ccCpu.push(cpuMs);
        ccTotals = sum;
      }
    }
    const again = agent(rescanState);
    rescan.push(again.ms);
    rescanEvents = again.stdout.split('\n').filter(Boolean).length;
    nodeFloor.push(timedRun(process.execPath, ['-e', '0'], env(join(dir, 'state-unused'))).ms);
  }

  const mb = bytes / 1024 / 1024;
  const base = cc.length ? median(cc) : null;
  const floor = median(nodeFloor);
  const fullMs = median(full);
  figure('collector', 'collect_dry_run_json_ms', {
    value: r1(fullMs), corpus: set.name, corpus_mb: r1(mb), files, events: printed?.messages, rounds: ROUNDS,
    baseline: base === null ? null : r1(base), baseline_name: `ccusage ${set.tools.map((t) => t.ccusage.args.slice(0, 2).join(' ')).join(' + ')}, whole process`,
    ratio: base === null ? null : r1(fullMs / base, 2), target_ratio: 1.0, node_e_0_ms: r1(floor),
    // CPU time (all threads): less moved by other load on the machine than wall time; ccusage scans on every core.
    cpu_ms: cpu.length ? r1(median(cpu)) : null, baseline_cpu_ms: ccCpu.length ? r1(median(ccCpu)) : null,
    ...(ccProblem ? { note: ccProblem } : {}),
  });
  figure('collector', 'scan_mb_per_s', { value: r1(mb / ((fullMs - floor) / 1000)), note: 'corpus MB per second of the whole process beyond node -e 0' });
  figure('collector', 'rescan_nothing_new_ms', { value: r1(median(rescan)), events: rescanEvents, target: 50, node_e_0_ms: r1(floor), over_node_ms: r1(median(rescan) - floor), rounds: ROUNDS });
  figure('collector', 'peak_rss_mb', rss.length ? { value: r1(Math.max(...rss) / 1024), median: r1(median(rss) / 1024), target: 80 } : { value: null, note: 'no /usr/bin/time on this machine' });
  const same = (t: { input: number; output: number; cacheRead: number; cacheWrite: number }) =>
    t.input === truth.input && t.output === truth.output && t.cacheRead === truth.cacheRead && t.cacheWrite === truth.cacheWrite;
  figure('collector', 'totals_identical', {
    value: !!printed && JSON.stringify(printed) === JSON.stringify(truth) && (!ccTotals || same(ccTotals)),
    agent: printed, corpus_truth: truth, ccusage: ccTotals,
  });
}
