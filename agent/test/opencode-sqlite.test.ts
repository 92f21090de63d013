// OpenCode's current store: <data>/opencode.db, table message(id, session_id, data), in WAL
// mode and written to while OpenCode runs (FORMATS.md §3.2). The agent reads it with
// node:sqlite, so these tests run the agent under a Node that has it (helpers/node-sqlite.ts)
// against a store built here with the sqlite3 package, its writer kept open as OpenCode's is.
// Expected numbers are worked out by hand from the rows below.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBatch } from '../wire.ts';
import { totals } from './helpers/logs.ts';
import { MARKER } from './helpers/canned.ts';
import { nodeWithSqlite } from './helpers/node-sqlite.ts';
import { openDb as open } from './helpers/sqlite-write.ts';
import { agentBundle, lines, runNode, scanWithSqlite } from './helpers/node22.ts';
import { tempDir } from './helpers/tmp.ts';

const SESSION = 'ses_01SQLITE9MARK42'; // a raw session id: must never leave the machine
const OLD_SESSION = 'ses_01LEGACY7OLD11';
const CWD = `/home/dev/${MARKER}-shop`;
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);

const node = nodeWithSqlite();
const run = (args: string[], env: Record<string, string> = {}) => runNode(node, args, env);

const assistant = (created: number, tokens: object, more: object = {}) => ({
  role: 'assistant', time: { created }, parentID: 'msg_u1', modelID: 'claude-sonnet-4-5', providerID: 'anthropic',
  mode: 'build', agent: 'build', path: { cwd: CWD, root: CWD }, cost: 0.01, tokens, ...more,
});

/**
 * A home whose OpenCode data dir holds a live store (writer open, WAL) and legacy JSON files:
 * - msg_u1: the user's message (its text, with the marker, in the part table): no event;
 * - msg_a2: finished; its row's data has no id or sessionID (the columns carry them):
 *   in 10, out 200, read 5000, write 300. Also a legacy JSON copy with an older snapshot
 *   (out 150): the row wins, one event;
 * - msg_a3: finished (`finish` only): total 175 = 100 + 50 + 20 reasoning + 5 read, so the
 *   reasoning was counted apart: in 100, out 70, read 5;
 * - msg_a4: still streaming (no completed, no finish) in a store written just now: held back;
 * - msg_l1, legacy JSON only, another session: in 1, out 2.
 */
async function liveStore() {
  const home = join(tempDir('tb-oc-sqlite-'), 'home');
  const data = join(home, '.local/share/opencode');
  mkdirSync(join(data, 'storage/message', SESSION), { recursive: true });
  mkdirSync(join(data, 'storage/message', OLD_SESSION), { recursive: true });
  const db = await open(join(data, 'opencode.db'), { wal: true });
  await db.exec('CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER, time_updated INTEGER, data TEXT NOT NULL)');
  await db.exec('CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL, data TEXT NOT NULL)');
  const row = (id: string, msg: object, created: number) =>
    db.exec('INSERT OR REPLACE INTO message VALUES (?, ?, ?, ?, ?)', [id, SESSION, created, created, JSON.stringify(msg)]);
  await row('msg_u1', { id: 'msg_u1', sessionID: SESSION, role: 'user', time: { created: T0 }, agent: 'build' }, T0);
  await db.exec('INSERT INTO part VALUES (?, ?, ?, ?)', ['prt_1', 'msg_u1', SESSION, JSON.stringify({ type: 'text', text: `fix ${MARKER} in ${CWD}/app.ts` })]);
  await row('msg_a2', assistant(T0 + 1000, { input: 10, output: 200, reasoning: 0, cache: { read: 5000, write: 300 } }, { time: { created: T0 + 1000, completed: T0 + 6000 }, finish: 'stop' }), T0 + 1000);
  await row('msg_a3', { id: 'msg_a3', sessionID: SESSION, ...assistant(T0 + 10_000, { total: 175, input: 100, output: 50, reasoning: 20, cache: { read: 5, write: 0 } }, { modelID: 'gpt-5', providerID: 'openai', finish: 'tool-calls' }) }, T0 + 10_000);
  await row('msg_a4', { id: 'msg_a4', sessionID: SESSION, ...assistant(T0 + 20_000, { input: 7, output: 3, reasoning: 0, cache: { read: 0, write: 0 } }) }, T0 + 20_000);
  writeFileSync(join(data, 'storage/message', SESSION, 'msg_a2.json'), JSON.stringify({ id: 'msg_a2', sessionID: SESSION, ...assistant(T0 + 1000, { input: 10, output: 150, reasoning: 0, cache: { read: 5000, write: 300 } }, { time: { created: T0 + 1000, completed: T0 + 5000 }, finish: 'stop' }) }));
  writeFileSync(join(data, 'storage/message', OLD_SESSION, 'msg_l1.json'), JSON.stringify({ id: 'msg_l1', sessionID: OLD_SESSION, ...assistant(T0 - 86_400_000, { input: 1, output: 2, reasoning: 0, cache: { read: 0, write: 0 } }, { modelID: 'claude-haiku-4-5', time: { created: T0 - 86_400_000, completed: T0 - 86_399_000 } }) }));
  return { home, state: join(home, '..', 'state'), db, row };
}

const FIRST = { events: 3, input_tokens: 10 + 100 + 1, output_tokens: 200 + 70 + 2, cache_read_tokens: 5000 + 5, cache_write_tokens: 300 };

test('the bundle under a Node with node:sqlite: collect --dry-run --json reads the live store, counts each message once, leaks nothing', async (t) => {
  const s = await liveStore();
  try {
    const bundle = await agentBundle();
    const r = await run([bundle, 'collect', '--dry-run', '--json'], { HOME: s.home, TOKENBOARD_STATE_DIR: s.state, TOKENBOARD_AGENT_CONFIG: join(s.state, '..', 'agent.json') });
    const events = lines(r.stdout);
    t.deepEqual(totals(events), FIRST);
    t.true(checkBatch({ events }).ok);
    t.true(events.every((e) => e.source === 'opencode'));
    const byModel = Object.fromEntries(events.map((e) => [e.model, e]));
    t.like(byModel['claude-sonnet-4-5'], { provider: 'anthropic', input_tokens: 10, output_tokens: 200, ts: T0 + 1000 });
    t.like(byModel['gpt-5'], { provider: 'openai', input_tokens: 100, output_tokens: 70, cache_read_tokens: 5 });
    // One session hash for the two messages of SESSION (one of them named only by its row), another for the old one.
    t.truthy(byModel['claude-sonnet-4-5'].session);
    t.is(byModel['claude-sonnet-4-5'].session, byModel['gpt-5'].session);
    t.not(byModel['claude-haiku-4-5'].session, byModel['gpt-5'].session);
    t.notRegex(r.stderr, /ExperimentalWarning/, 'Node 22 SQLite warning kept quiet');
    const out = r.stdout + r.stderr;
    t.deepEqual([MARKER, SESSION, OLD_SESSION, 'ses_', CWD, s.home, 'msg_'].filter((b) => out.includes(b)), []);
  } finally {
    await s.db.close();
  }
});

test('rescans of the store: nothing twice, a finished answer once, an abandoned one once the store has been quiet', async (t) => {
  const s = await liveStore();
  const scan = (aheadMs = 0) => scanWithSqlite(s.home, s.state, aheadMs);
  try {
    t.deepEqual(totals(await scan()), FIRST);
    t.deepEqual(await scan(), [], 'nothing new, nothing sent');

    // msg_a4 finishes with its final counts: sent once, with those.
    await s.row('msg_a4', { id: 'msg_a4', sessionID: SESSION, ...assistant(T0 + 20_000, { input: 7, output: 30, reasoning: 0, cache: { read: 0, write: 0 } }, { time: { created: T0 + 20_000, completed: T0 + 25_000 }, finish: 'stop' }) }, T0 + 20_000);
    t.deepEqual(totals(await scan()), { events: 1, input_tokens: 7, output_tokens: 30, cache_read_tokens: 0, cache_write_tokens: 0 });
    t.deepEqual(await scan(), []);

    // msg_a5 is left unfinished (OpenCode was killed mid-answer) and the store is closed.
    await s.row('msg_a5', { id: 'msg_a5', sessionID: SESSION, ...assistant(T0 + 30_000, { input: 4, output: 1, reasoning: 0, cache: { read: 0, write: 0 } }) }, T0 + 30_000);
    await s.db.close();
    // (Reading a closed WAL store leaves an empty -wal behind, which the next scan sees as a
    // change; the scans after that find nothing changed at all.)
    for (let i = 0; i < 3; i++) t.deepEqual(await scan(), [], 'held back while the store was written just now');
    // Two hours on, with no write to the store since: sent as it stands, once.
    t.deepEqual(totals(await scan(2 * 3600_000)), { events: 1, input_tokens: 4, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0 });
    t.deepEqual(await scan(2 * 3600_000), []);
  } finally {
    await s.db.close().catch(() => undefined);
  }
});
