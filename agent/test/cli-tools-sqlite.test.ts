// The CLI tools' SQLite stores (Antigravity, ZCode, OpenClaw's agent database), read with
// node:sqlite: the agent runs under a Node that has it (helpers/node-sqlite.ts) against
// stores built here (helpers/cli-tools-stores.ts). Numbers worked out by hand from there.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkBatch, type WireEvent } from '../wire.ts';
import { runCli } from './helpers/cli.ts';
import { totals, bySource as of } from './helpers/logs.ts';
import { MARKER } from './helpers/canned.ts';
import { nodeWithSqlite } from './helpers/node-sqlite.ts';
import { agentBundle, runNode, scanWithSqlite } from './helpers/node22.ts';
import { AG_CONV, AG_START, cliToolsHome, generationBlob, openDb, ZC_ROWS, ZC_SESSION } from './helpers/cli-tools-stores.ts';

const node = nodeWithSqlite();

/** What the agent printed, stdout and stderr together (both are checked for leaks). */
async function run(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await runNode(node, args, env);
  return r.stdout + r.stderr;
}
const lines = (out: string): WireEvent[] => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as WireEvent);

// gen 1: input 1036 system + 6321 fresh = 7357, output 604 + 117 thinking = 721, read 36,491
//        (its copy in the backup root has the same response id: once); gen 2: no counts;
// gen 3 (no time of its own: the conversation's start): 100 / 10
const ANTIGRAVITY = { events: 2, input_tokens: 7357 + 100, output_tokens: 721 + 10, cache_read_tokens: 36_491, cache_write_tokens: 0 };
// mu-1 (total 12,800 = input + output: inclusive): 12,000 − 9000 read − 1000 write = 2000, out 800 (200 reasoning inside)
// mu-2 (no total: inclusive): 500 − 100 = 400, out 50; mu-3 still streaming: not yet
// mu-4 (total 405 = every column: apart): 300, out 40 + 5 = 45, read 50, write 10
const ZCODE = { events: 3, input_tokens: 2000 + 400 + 300, output_tokens: 800 + 50 + 45, cache_read_tokens: 9000 + 100 + 50, cache_write_tokens: 1000 + 10 };

async function home() {
  const h = await cliToolsHome();
  return { ...h, scan: (aheadMs = 0) => scanWithSqlite(h.home, h.state, aheadMs) };
}

test('the bundle under a Node with node:sqlite reads the three stores, each response once, and prints no marker, path or raw id', async (t) => {
  const h = await home();
  try {
    const out = await run([await agentBundle(), 'collect', '--dry-run', '--json'], { HOME: h.home, TOKENBOARD_STATE_DIR: h.state, TOKENBOARD_AGENT_CONFIG: join(h.state, '..', 'agent.json') });
    const events = lines(out);
    t.true(checkBatch({ events }).ok);
    t.deepEqual(totals(of('antigravity', events)), ANTIGRAVITY);
    t.deepEqual(totals(of('zcode', events)), ZCODE);
    // OpenClaw: the JSONL's four (see cli-tools.test.ts) + the store's 0c1a0005 (60 / 6 / read 600);
    // its copy of 0c1a0001 has the same id: once
    t.deepEqual(totals(of('openclaw', events)), { events: 4 + 1, input_tokens: 1975 + 60, output_tokens: 130 + 6, cache_read_tokens: 109_928 + 600, cache_write_tokens: 500 });
    t.like(of('openclaw', events).find((e) => e.input_tokens === 60), { model: 'gpt-5.2', provider: 'openai' });
    t.like(of('antigravity', events).find((e) => e.input_tokens === 100), { ts: AG_START, model: 'claude-sonnet-4-6', provider: 'anthropic' });
    t.true(of('zcode', events).every((e) => e.provider === (e.model.startsWith('claude') ? 'anthropic' : 'zhipu')));
    t.deepEqual([MARKER, 'MARKER7731', ZC_SESSION, AG_CONV, h.home, 'resp-ag', 'mu-1', 'file://'].filter((b) => out.includes(b)), []);
  } finally {
    await h.close();
  }
});

test('rescans of the stores: nothing twice; a completed call, a new generation and a new transcript row once', async (t) => {
  const h = await home();
  try {
    const first = await h.scan();
    t.deepEqual(totals(of('zcode', first)), ZCODE);
    t.deepEqual(await h.scan(), []);
    // mu-3 completes (40 / 4, total 44 = input + output: inclusive, nothing cached)
    const mu3 = ZC_ROWS[2];
    await h.stores.zcode.row(['mu-3', 'completed', mu3[2], 40, 4, 0, 0, 0, 44, 'glm-5.2']);
    await h.stores.openclaw.add(10, { type: 'message', id: '0c1a0010', timestamp: '2026-06-05T12:00:00.000Z', message: { role: 'assistant', usage: { input: 7, output: 70, cacheRead: 0, cacheWrite: 0 } } });
    // a new generation: 5 + 5 = 10 in, 1 + 1 thinking = 2 out
    const ag = await openDb(join(h.home, '.gemini/antigravity/conversations', `${AG_CONV}.db`));
    await ag.exec('INSERT INTO gen_metadata VALUES (?, ?)', [3, generationBlob({ model: 'gemini-3.1-pro-low', ts: AG_START + 600_000, system: 5, fresh: 5, read: 0, output: 1, thinking: 1, response: 'resp-ag-4' })]);
    await ag.close();
    const next = await h.scan();
    t.deepEqual(totals(of('antigravity', next)), { events: 1, input_tokens: 10, output_tokens: 2, cache_read_tokens: 0, cache_write_tokens: 0 });
    t.deepEqual(totals(of('zcode', next)), { events: 1, input_tokens: 40, output_tokens: 4, cache_read_tokens: 0, cache_write_tokens: 0 });
    t.deepEqual(totals(of('openclaw', next)), { events: 1, input_tokens: 7, output_tokens: 70, cache_read_tokens: 0, cache_write_tokens: 0 });
    t.is(next.length, 3);
    t.deepEqual(await h.scan(), []);
  } finally {
    await h.close();
  }
});

test('collect on a Node without node:sqlite names the stores it skipped, once, and still reads the JSONL', async (t) => {
  const h = await cliToolsHome();
  await h.close();
  const r = await runCli(['collect', '--dry-run', '--json'], { HOME: h.home, TOKENBOARD_STATE_DIR: h.state, TOKENBOARD_AGENT_CONFIG: join(h.state, '..', 'agent.json') });
  t.is(r.code, 0, r.stderr);
  const events = lines(r.stdout);
  // The test runner's own Node (20 here): without node:sqlite the three are named, with it none is.
  const hasSqlite = spawnSync(process.execPath, ['-e', "require('node:sqlite')"], { stdio: 'ignore' }).status === 0;
  // (The one notice of every SQLite tool, worded as sqlite-skipped.test.ts expects it.)
  const notices = r.stderr.split('\n').filter((l) => l.includes('node:sqlite'));
  if (hasSqlite) t.deepEqual(notices, []);
  else t.deepEqual(notices, [`collect: OpenClaw, Antigravity, ZCode: SQLite stores skipped; reading them needs node:sqlite (Node 22.5 or newer), this is Node ${process.versions.node}`]);
  // OpenClaw's JSONL transcripts are read either way (4 events, cli-tools.test.ts).
  t.true(of('openclaw', events).length >= 4);
});
