// `npm run bench -- collector`: whole processes, as a user runs them, on two generated
// corpora of ~BENCH_CORPUS_MB (100) MB each:
//   "claude": Claude Code alone (bench/_corpus.ts: streamed messages written as several
//     growing lines, tool results, resumed sessions copying messages, 1-hour cache writes);
//   "all": every tool both the agent and ccusage 20 read from text logs, the size shared
//     equally (bench/_corpus-tools.ts: Claude Code, Codex, Gemini CLI, OpenCode, Copilot CLI,
//     Amp, Pi, OpenClaw, Kimi CLI, Qwen Code, Codebuff, Grok Build, Droid).
// For each:
//   - `node tokenboard-agent.mjs collect --dry-run --json` (the bundle `npm run build`
//     makes, its output read through a pipe) against the sum of the whole `ccusage <tool>
//     daily --offline --json` processes, one per tool (CCUSAGE_BIN, node_modules/.bin, the
//     pinned one installed into .bench/, or PATH) on the same corpus; target ≤ 1.0×
//     (for "all", ccusage's own one-process `ccusage daily` is printed beside it);
//   - a rescan with nothing new (same command, cursors saved by an earlier `collect`),
//     whole process; target ≤ 50 ms;
//   - the agent's peak RSS during the full run; target ≤ 80 MB;
//   - whether the printed events' totals equal the corpus's own truth, per tool, and
//     ccusage's equal what it is known to report (`differences`: where it counts
//     differently by design, and why).
// Beside them, `node -e 0` as the floor every Node process pays. The machine's noise is as
// large as the differences measured, so every command runs BENCH_ROUNDS times (11 by
// default), interleaved, and medians are compared.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../src/paths.ts';
import { buildAgentBundle, figure, median, timedRun } from './_lib.ts';
import { claudeCorpus, emptyTruth, truthOf, type Four, type ToolCorpus, type Truth } from './_corpus.ts';
import { ALL_TOOLS, ccusageTotals, writeCorpusSet } from './_corpus-tools.ts';
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
 * and by one ccusage process per tool (the baseline is the sum of those).
 */
interface CorpusSet { name: string; tools: readonly ToolCorpus[] }
const CORPUS_SETS: readonly CorpusSet[] = [{ name: 'claude', tools: [claudeCorpus] }, { name: 'all', tools: ALL_TOOLS }];

/** The printed events' totals per source. */
function truthBySource(stdout: string): Map<string, Truth> {
  const by = new Map<string, Parameters<typeof truthOf>[0] & unknown[]>();
  for (const l of stdout.split('\n')) {
    if (!l) continue;
    const e = JSON.parse(l);
    let list = by.get(e.source);
    if (!list) by.set(e.source, (list = []));
    list.push(e);
  }
  return new Map([...by].map(([s, es]) => [s, truthOf(es)]));
}

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
  const written = writeCorpusSet(dir, set.tools, TARGET_MB * 1024 * 1024);
  const { bytes, files } = written;
  const truth = emptyTruth();
  for (const w of written.tools.values()) for (const k of Object.keys(truth) as (keyof Truth)[]) truth[k] += w.truth[k];
  const env = (state: string) => ({ PATH: process.env.PATH ?? '', HOME: home, TOKENBOARD_STATE_DIR: state, ...written.env });
  const agent = (state: string) => timedRun(process.execPath, [bundle, 'collect', '--dry-run', '--json'], env(state));

  // The rescan's state: one real `collect` (not logged in, so it queues and keeps its cursors).
  const rescanState = join(dir, 'state-rescan');
  const seeded = timedRun(process.execPath, [bundle, 'collect'], env(rescanState));
  if (!/not logged in/.test(seeded.stderr)) throw new Error(`collector bench: the seeding collect said: ${seeded.stderr}`);

  const full: number[] = [];
  const rescan: number[] = [];
  const nodeFloor: number[] = [];
  const cc: number[] = [];
  const ccPerTool = new Map<string, number[]>(set.tools.map((t) => [t.source, []]));
  const rss: number[] = [];
  const cpu: number[] = [];
  const ccCpu: number[] = [];
  let printed: Map<string, Truth> | null = null;
  let rescanEvents = -1;
  const ccTotals = new Map<string, Four>();
  const ccOne: number[] = [];
  let oneCc: Four | null = null;
  let ccProblem: string | null = ccusage ? null : `ccusage ${CCUSAGE_VERSION} could not be installed; set CCUSAGE_BIN to compare`;
  for (let i = 0; i < ROUNDS; i++) {
    const a = agent(join(dir, `state-${i}`)); // a first scan every time
    if (a.code !== 0) throw new Error(`collector bench: collect failed (${a.code}): ${a.stderr}`);
    full.push(a.ms);
    if (a.maxRssKb !== null) rss.push(a.maxRssKb);
    if (a.cpuMs !== null) cpu.push(a.cpuMs);
    if (i === 0) printed = truthBySource(a.stdout);
    if (ccusage && !ccProblem) {
      // The baseline: one whole ccusage process per tool, as a user asking ccusage about each tool runs it.
      let ms = 0;
      let cpuMs = 0;
      for (const tool of set.tools) {
        const c = timedRun(ccusage, tool.ccusage.args, env(join(dir, 'state-unused')));
        if (c.code !== 0) {
          ccProblem = `ccusage ${tool.ccusage.args[0]} failed on the corpus: ${c.stderr.slice(0, 300)}`;
          break;
        }
        ms += c.ms;
        cpuMs += c.cpuMs ?? NaN;
        ccPerTool.get(tool.source)!.push(c.ms);
        ccTotals.set(tool.source, tool.ccusage.totals(JSON.parse(c.stdout).totals));
      }
      if (!ccProblem) {
        cc.push(ms);
        if (!Number.isNaN(cpuMs)) ccCpu.push(cpuMs);
      }
      // Beside it, ccusage 20's own every-tool report in one process (`ccusage daily`), for reference.
      if (!ccProblem && set.tools.length > 1) {
        const c = timedRun(ccusage, ['daily', '--offline', '--json'], env(join(dir, 'state-unused')));
        if (c.code === 0) {
          ccOne.push(c.ms);
          oneCc = ccusageTotals(JSON.parse(c.stdout).totals);
        }
      }
    }
    const again = agent(rescanState);
    rescan.push(again.ms);
    rescanEvents = again.stdout.split('\n').filter(Boolean).length;
    nodeFloor.push(timedRun(process.execPath, ['-e', '0'], env(join(dir, 'state-unused'))).ms);
  }

  const mb = bytes / 1024 / 1024;
  const agentAll = emptyTruth();
  for (const t of printed?.values() ?? []) for (const k of Object.keys(agentAll) as (keyof Truth)[]) agentAll[k] += t[k];
  const base = cc.length ? median(cc) : null;
  const floor = median(nodeFloor);
  const fullMs = median(full);
  figure('collector', 'collect_dry_run_json_ms', {
    value: r1(fullMs), corpus: set.name, corpus_mb: r1(mb), files, events: printed ? agentAll.messages : undefined, rounds: ROUNDS,
    baseline: base === null ? null : r1(base), baseline_name: `ccusage ${set.tools.map((t) => t.ccusage.args.slice(0, 2).join(' ')).join(' + ')}, whole process`,
    ratio: base === null ? null : r1(fullMs / base, 2), target_ratio: 1.0, node_e_0_ms: r1(floor),
    // CPU time (all threads): less moved by other load on the machine than wall time; ccusage scans on every core.
    cpu_ms: cpu.length ? r1(median(cpu)) : null, baseline_cpu_ms: ccCpu.length ? r1(median(ccCpu)) : null,
    ...(set.tools.length > 1 ? {
      baseline_per_tool_ms: Object.fromEntries([...ccPerTool].map(([s, ms]) => [s, ms.length ? r1(median(ms)) : null])),
      ccusage_one_process_ms: ccOne.length ? r1(median(ccOne)) : null, ccusage_one_process_name: 'ccusage daily --offline --json (every tool it finds, one process; not the baseline)',
    } : {}),
    ...(ccProblem ? { note: ccProblem } : {}),
  });
  figure('collector', 'scan_mb_per_s', { corpus: set.name, value: r1(mb / ((fullMs - floor) / 1000)), note: 'corpus MB per second of the whole process beyond node -e 0' });
  figure('collector', 'rescan_nothing_new_ms', { corpus: set.name, value: r1(median(rescan)), events: rescanEvents, target: 50, node_e_0_ms: r1(floor), over_node_ms: r1(median(rescan) - floor), rounds: ROUNDS });
  figure('collector', 'peak_rss_mb', { corpus: set.name, ...(rss.length ? { value: r1(Math.max(...rss) / 1024), median: r1(median(rss) / 1024), target: 80 } : { value: null, note: 'no /usr/bin/time on this machine' }) });
  // Per tool: the agent's totals against the corpus's truth, ccusage's against what the
  // generator says ccusage reports (the truth, except where it counts differently by design).
  const perTool: Record<string, { events: number; agent_ok: boolean; ccusage_ok: boolean | null }> = {};
  const differences: { tool: string; why: string; truth: Four; ccusage: Four | null }[] = [];
  for (const tool of set.tools) {
    const w = written.tools.get(tool.source)!;
    const ours = printed?.get(tool.source) ?? emptyTruth();
    const want = w.ccusage ?? four(w.truth);
    const got = ccTotals.get(tool.source);
    perTool[tool.source] = { events: ours.messages, agent_ok: sameTruth(ours, w.truth), ccusage_ok: got ? sameFour(got, want) : null };
    if (tool.difference) differences.push({ tool: tool.source, why: tool.difference, truth: four(w.truth), ccusage: got ?? null });
  }
  const strays = [...(printed?.keys() ?? [])].filter((s) => !written.tools.has(s)); // events of a tool not in the corpus
  figure('collector', 'totals_identical', {
    // Agent = truth on every tool, and ccusage = what it is known to report on every tool.
    value: !!printed && !strays.length && Object.values(perTool).every((p) => p.agent_ok && p.ccusage_ok !== false) && (!oneCc || sameFour(oneCc, sum(ccTotals.values()))),
    corpus: set.name, agent: agentAll, corpus_truth: truth, ccusage: ccTotals.size ? sum(ccTotals.values()) : null,
    ...(set.tools.length > 1 ? { per_tool: perTool, ccusage_one_process: oneCc } : {}),
    ...(strays.length ? { stray_sources: strays } : {}),
    ...(differences.length ? { differences } : {}),
  });
}

const FOUR = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
const sameFour = (a: Four, b: Four): boolean => FOUR.every((k) => a[k] === b[k]);
const sameTruth = (a: Truth, b: Truth): boolean => sameFour(a, b) && a.cacheWrite1h === b.cacheWrite1h && a.messages === b.messages;
const four = (t: Four): Four => ({ input: t.input, output: t.output, cacheRead: t.cacheRead, cacheWrite: t.cacheWrite });
function sum(ts: Iterable<Four>): Four {
  const t = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const x of ts) for (const k of FOUR) t[k] += x[k];
  return t;
}

