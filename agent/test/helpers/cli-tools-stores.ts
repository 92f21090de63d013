// The SQLite stores of the CLI-tool fixtures, built at test time with the sqlite3 package
// (binary files stay out of git): Antigravity conversation databases (protobuf blobs),
// ZCode's usage database and OpenClaw's agent database. The marker is planted in what the
// collectors must not read (workspace URIs, directories, message text). Numbers are the
// ones the tests work out by hand.
import { join } from 'node:path';
import { openDb } from './sqlite-write.ts';
import { MARKER } from './canned.ts';
import { CLI_TOOLS_HOME, copyHome, type Home } from './logs.ts';

export { openDb };

// ---- protobuf, just enough to write the blobs (varint and length-delimited fields)
function varint(v: number): number[] {
  const out: number[] = [];
  let n = BigInt(v);
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const vField = (n: number, v: number): number[] => [...varint((n << 3) | 0), ...varint(v)];
const lField = (n: number, bytes: number[]): number[] => [...varint((n << 3) | 2), ...varint(bytes.length), ...bytes];
const utf8 = (s: string): number[] => [...Buffer.from(s, 'utf8')];
const time = (ms: number): number[] => [...vField(1, Math.floor(ms / 1000)), ...vField(2, (ms % 1000) * 1e6)];

export interface Gen { model: string; ts?: number; system: number; fresh: number; read: number; output: number; thinking: number; response?: string }

export function generationBlob(g: Gen): Buffer {
  const usage = [...vField(1, g.system), ...vField(2, g.fresh), ...vField(5, g.read), ...vField(9, g.output), ...vField(10, g.thinking), ...(g.response ? lField(11, utf8(g.response)) : [])];
  const chat = [...lField(19, utf8(g.model)), ...(g.ts ? lField(9, lField(4, time(g.ts))) : []), ...lField(4, usage)];
  return Buffer.from(lField(1, chat));
}

export const AG_CONV = '3f2e1d0c-0000-4000-8000-00000000a901';
export const AG_START = Date.UTC(2026, 5, 11, 9, 0, 0);
export const AG_GENS: Gen[] = [
  { model: 'gemini-3.1-pro-low', ts: Date.UTC(2026, 5, 11, 9, 0, 30), system: 1036, fresh: 6321, read: 36491, output: 604, thinking: 117, response: 'resp-ag-1' },
  { model: 'gemini-3.1-pro-low', ts: Date.UTC(2026, 5, 11, 9, 1, 0), system: 0, fresh: 0, read: 0, output: 0, thinking: 0, response: 'resp-ag-zero' },
  { model: 'claude-sonnet-4-6', system: 0, fresh: 100, read: 0, output: 10, thinking: 0 },
];

async function antigravityDb(path: string, gens: Gen[]): Promise<void> {
  const db = await openDb(path);
  await db.exec('CREATE TABLE gen_metadata (idx INTEGER PRIMARY KEY, data BLOB)');
  await db.exec('CREATE TABLE trajectory_metadata_blob (data BLOB)');
  await db.exec('CREATE TABLE steps (idx INTEGER PRIMARY KEY, metadata BLOB, data BLOB)');
  for (const [i, g] of gens.entries()) await db.exec('INSERT INTO gen_metadata VALUES (?, ?)', [i, generationBlob(g)]);
  await db.exec('INSERT INTO trajectory_metadata_blob VALUES (?)', [Buffer.from([...lField(1, lField(1, utf8(`file:///Users/ana/${MARKER}/app`))), ...lField(2, time(AG_START))])]);
  await db.exec('INSERT INTO steps VALUES (0, NULL, ?)', [Buffer.from(utf8(`prompt ${MARKER}`))]);
  await db.close();
}

export const ZC_SESSION = 'zc-sess-0001-MARKER7731';
const ZC_T = Date.UTC(2026, 5, 12, 8, 0, 0);

/** A ZCode usage row: [id, status, started_at, input, output, reasoning, cache read, cache write, computed total, model]. */
export type ZcRow = [string, string, number, number, number, number, number, number, number | null, string];
export const ZC_ROWS: ZcRow[] = [
  // inclusive (total = input + output): input holds read + write, output holds reasoning
  ['mu-1', 'completed', ZC_T, 12000, 800, 200, 9000, 1000, 12800, 'glm-5.2'],
  // no computed total (older rows): inclusive
  ['mu-2', 'completed', ZC_T + 60_000, 500, 50, 0, 100, 0, null, 'glm-5.2'],
  // still running: not yet
  ['mu-3', 'streaming', ZC_T + 120_000, 40, 4, 0, 0, 0, 44, 'glm-5.2'],
  // written apart (total = every column summed)
  ['mu-4', 'completed', ZC_T + 180_000, 300, 40, 5, 50, 10, 405, 'claude-sonnet-4-5'],
];

export async function zcodeDb(home: string) {
  const db = await openDb(join(home, '.zcode/cli/db/db.sqlite'), { wal: true });
  await db.exec('CREATE TABLE session (id TEXT PRIMARY KEY, directory TEXT, path TEXT, title TEXT)');
  await db.exec('INSERT INTO session VALUES (?, ?, ?, ?)', [ZC_SESSION, `/Users/ana/${MARKER}`, `/Users/ana/${MARKER}/x`, `fix ${MARKER}`]);
  await db.exec(`CREATE TABLE model_usage (id TEXT PRIMARY KEY, session_id TEXT, turn_id TEXT, model_id TEXT, provider_id TEXT, status TEXT,
    started_at INTEGER, completed_at INTEGER, duration_ms INTEGER, input_tokens INTEGER, output_tokens INTEGER, reasoning_tokens INTEGER,
    cache_read_input_tokens INTEGER, cache_creation_input_tokens INTEGER, computed_total_tokens INTEGER, agent TEXT, mode TEXT)`);
  const row = (r: ZcRow) => db.exec('INSERT OR REPLACE INTO model_usage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [r[0], ZC_SESSION, 'turn-1', r[9], 'builtin:zai-coding-plan', r[1], r[2], r[1] === 'completed' ? r[2] + 5000 : null, 5000, r[3], r[4], r[5], r[6], r[7], r[8], 'build', 'agent']);
  for (const r of ZC_ROWS) await row(r);
  return { row, close: db.close };
}

export const OC_STORE_SESSION = 'f1e2d3c4-0000-4000-8000-00000000c101';

/** OpenClaw's agent database: the session's model change and first answer (as in its JSONL), and one answer only here. */
export async function openclawDb(home: string) {
  const db = await openDb(join(home, '.openclaw/agents/main/agent/openclaw-agent.sqlite'));
  await db.exec('CREATE TABLE transcript_events (session_id TEXT, seq INTEGER, event_json TEXT, created_at INTEGER, PRIMARY KEY (session_id, seq))');
  const ou = (i: number, o: number, r: number, w: number) => ({ input: i, output: o, cacheRead: r, cacheWrite: w, totalTokens: i + o + r + w, cost: { total: 0.03 } });
  const events = [
    { type: 'model_change', id: '0c1a00mc', timestamp: '2026-06-05T09:59:00.000Z', provider: 'openai', modelId: 'gpt-5.2' },
    { type: 'message', id: '0c1a0u01', timestamp: '2026-06-05T10:00:01.000Z', message: { role: 'user', content: `hello ${MARKER}` } },
    { type: 'message', id: '0c1a0001', timestamp: '2026-06-05T10:00:05.000Z', message: { role: 'assistant', content: [{ type: 'text', text: `reply ${MARKER}` }], usage: ou(1860, 95, 109928, 500), stopReason: 'stop', timestamp: '2026-06-05T10:00:05.000Z' } },
    { type: 'message', id: '0c1a0005', timestamp: '2026-06-05T11:00:05.000Z', message: { role: 'assistant', content: [{ type: 'text', text: `later ${MARKER}` }], usage: ou(60, 6, 600, 0), stopReason: 'stop', timestamp: '2026-06-05T11:00:05.000Z' } },
  ];
  for (const [i, e] of events.entries()) await db.exec('INSERT INTO transcript_events VALUES (?, ?, ?, ?)', [OC_STORE_SESSION, i, JSON.stringify(e), Math.floor(Date.parse(e.timestamp) / 1000)]);
  const add = (seq: number, e: object) => db.exec('INSERT INTO transcript_events VALUES (?, ?, ?, ?)', [OC_STORE_SESSION, seq, JSON.stringify(e), 1780660000]);
  return { add, close: db.close };
}

/** All three stores in `home` (closed, except the ZCode and OpenClaw writers the caller gets back). */
export async function buildStores(home: string) {
  await antigravityDb(join(home, '.gemini/antigravity/conversations', `${AG_CONV}.db`), AG_GENS);
  // A backup root holding a copy of the first generation.
  await antigravityDb(join(home, '.gemini/antigravity-backup/conversations', `${AG_CONV}.db`), AG_GENS.slice(0, 1));
  return { zcode: await zcodeDb(home), openclaw: await openclawDb(home) };
}

/**
 * A copy of the CLI-tool fixture home with the three stores built in it, the ZCode and
 * OpenClaw writers kept open (as those tools keep them) until `close()`.
 */
export async function cliToolsHome(): Promise<Home & { stores: Awaited<ReturnType<typeof buildStores>>; close(): Promise<void> }> {
  const h = copyHome(CLI_TOOLS_HOME);
  const stores = await buildStores(h.home);
  return {
    ...h, stores,
    async close() {
      await stores.zcode.close();
      await stores.openclaw.close();
    },
  };
}
