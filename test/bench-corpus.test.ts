// The collector bench's "all" corpus (bench/_corpus-tools.ts) is only a measure of the agent
// if its logs are what each tool writes and its truth is what they hold. Here a small one
// (about 2 MB, every tool) is read by the agent's own `collect --dry-run --json` process and
// by ccusage 20.0.24, one tool at a time: the agent's totals per source must be the
// generator's truth, and ccusage's the generator's account of what ccusage reports (the
// truth, except on the tools whose `difference` says why not).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ALL_TOOLS, ccusageTotals, writeCorpusSet } from '../bench/_corpus-tools.ts';
import { emptyTruth, type Four, type Truth } from '../bench/_corpus.ts';
import { runCli } from '../agent/test/helpers/cli.ts';
import { tempDir } from '../agent/test/helpers/tmp.ts';
import { ccusage } from '../agent/test/helpers/ccusage.ts';

const BYTES = 2 * 1024 * 1024;

function corpus() {
  const dir = tempDir('tb-bench-corpus-');
  const set = writeCorpusSet(dir, ALL_TOOLS, BYTES);
  const home = join(dir, 'home'); // no tool outside the corpus
  return { dir, set, env: { HOME: home, ...set.env } };
}

test('the agent reads every tool of the "all" corpus to the generator\'s truth', async (t) => {
  const { dir, set, env } = corpus();
  const r = await runCli(['collect', '--dry-run', '--json'], { ...env, TOKENBOARD_STATE_DIR: join(dir, 'state') });
  t.is(r.code, 0, r.stderr);
  const got = new Map<string, Truth>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const e = JSON.parse(line);
    let s = got.get(e.source);
    if (!s) got.set(e.source, (s = emptyTruth()));
    s.input += e.input_tokens; s.output += e.output_tokens; s.cacheRead += e.cache_read_tokens; s.cacheWrite += e.cache_write_tokens;
    s.cacheWrite1h += e.cache_write_1h_tokens ?? 0; s.messages++;
  }
  t.deepEqual([...got.keys()].sort(), ALL_TOOLS.map((c) => c.source).sort(), 'events of every tool, and of no other');
  for (const tool of ALL_TOOLS) {
    const w = set.tools.get(tool.source)!;
    // Something of every kind the tool records was written (else a matching zero proves nothing).
    t.true(w.truth.messages > 0 && w.truth.input > 0 && w.truth.output > 0 && w.truth.cacheRead > 0, tool.source);
    t.deepEqual(got.get(tool.source), w.truth, tool.source);
  }
});

test('ccusage 20.0.24 reports on the "all" corpus what the generators say it does', (t) => {
  const bin = ccusage();
  const { dir, set, env } = corpus();
  for (const tool of ALL_TOOLS) {
    const r = spawnSync(bin, tool.ccusage.args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env, TOKENBOARD_STATE_DIR: join(dir, 'state') }, maxBuffer: 1 << 26 });
    t.is(r.status, 0, `${tool.source}: ${r.stderr}`);
    const w = set.tools.get(tool.source)!;
    const { input, output, cacheRead, cacheWrite } = w.truth;
    const want: Four = w.ccusage ?? { input, output, cacheRead, cacheWrite };
    t.deepEqual(tool.ccusage.totals(JSON.parse(r.stdout).totals), want, tool.source);
    // A tool said to differ does differ here, and one that is not said to, does not.
    t.is(w.ccusage !== undefined, tool.difference !== undefined, `${tool.source}: difference named iff counted`);
    if (w.ccusage) t.notDeepEqual(w.ccusage, { input, output, cacheRead, cacheWrite }, tool.source);
  }
  // The all-tools report in one process sums the same.
  const all = spawnSync(bin, ['daily', '--offline', '--json'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, maxBuffer: 1 << 26 });
  t.is(all.status, 0, all.stderr);
  const sum: Four = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const w of set.tools.values()) {
    const c = w.ccusage ?? w.truth;
    sum.input += c.input; sum.output += c.output; sum.cacheRead += c.cacheRead; sum.cacheWrite += c.cacheWrite;
  }
  t.deepEqual(ccusageTotals(JSON.parse(all.stdout).totals), sum);
});
