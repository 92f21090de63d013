// A home with the running-total tools' data: the fixture files of
// agent/test/fixtures/running-totals (Factory Droid sessions, a legacy Goose session file)
// and the SQLite stores of Goose, Kilo CLI and Hermes, built here as the tools write them:
// WAL, the writer's connection kept open. Every store carries the privacy marker in the
// places the tools keep text (titles, working dirs, message content).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MARKER } from './canned.ts';
import { copyHome, type Home } from './logs.ts';
import { openDb, type TestDb } from './sqlite-write.ts';

export const TOTALS_HOME = fileURLToPath(new URL('../fixtures/running-totals', import.meta.url));
export const CWD = `/home/dev/${MARKER}-shop`;

/** Raw ids that must never leave the machine. */
export const GOOSE_IMPORTED = '20260501_120000'; // also the legacy file's name
export const HERMES_SESSION = `sess_H1${MARKER}`;
export const KILO_SESSION = `ses_K1${MARKER}`;

export interface Stores {
  goose: TestDb;
  kilo: TestDb;
  hermes: TestDb;
  /** Sets a Goose session's accumulated counts (and updated_at). */
  gooseTotals(id: string, input: number, output: number, total: number, read?: number, write?: number): Promise<void>;
  close(): Promise<void>;
}

async function gooseStore(home: string): Promise<TestDb> {
  const db = await openDb(join(home, '.local/share/goose/sessions/sessions.db'), { wal: true });
  await db.exec(`CREATE TABLE sessions (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',
    working_dir TEXT NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    total_tokens INTEGER, input_tokens INTEGER, output_tokens INTEGER, cache_read_tokens INTEGER, cache_write_tokens INTEGER,
    accumulated_total_tokens INTEGER, accumulated_input_tokens INTEGER, accumulated_output_tokens INTEGER,
    accumulated_cache_read_tokens INTEGER, accumulated_cache_write_tokens INTEGER, accumulated_cost REAL,
    provider_name TEXT, model_config_json TEXT)`);
  await db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT, session_id TEXT NOT NULL, role TEXT NOT NULL, content_json TEXT NOT NULL, created_timestamp INTEGER NOT NULL)');
  const row = (id: string, created: string, updated: string, provider: string | null, model: string | null, counts: (number | null)[]) => db.exec(
    `INSERT INTO sessions (id, name, working_dir, created_at, updated_at, provider_name, model_config_json,
      input_tokens, output_tokens, total_tokens, accumulated_input_tokens, accumulated_output_tokens, accumulated_total_tokens,
      accumulated_cache_read_tokens, accumulated_cache_write_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, `fix ${MARKER}`, CWD, created, updated, provider, model === null ? null : JSON.stringify({ model_name: model, context_limit: 200000 }), ...counts]);
  // The legacy session, imported and continued: 9000 input of which 3000 read and 1000 written, 800 out, 9900 total.
  await row(GOOSE_IMPORTED, '2026-05-01 12:00:00', '2026-05-01 12:30:00', 'anthropic', 'claude-sonnet-4-5', [900, 60, 960, 9000, 800, 9900, 3000, 1000]);
  // A row from before the accumulated columns were filled: only the last request's counts.
  await row('20260502_1', '2026-05-02 08:00:00', '2026-05-02 08:05:00', 'openai', 'gpt-4o', [300, 40, 340, null, null, null, null, null]);
  // A growing session (the tests raise it); no cache columns filled.
  await row('20260503_1', '2026-05-03T09:00:00Z', '2026-05-03T09:10:00Z', 'google', 'gemini-2.5-pro', [null, null, null, 1000, 100, 1100, null, null]);
  // An imported legacy session without a model.
  await row('20260504_1', '2026-05-04 10:00:00', '2026-05-04 10:00:00', null, null, [null, null, null, 50, 5, 55, 0, 0]);
  // No usage yet.
  await row('20260505_1', '2026-05-05 10:00:00', '2026-05-05 10:00:00', 'anthropic', 'claude-haiku-4-5', [null, null, null, null, null, null, null, null]);
  await db.exec('INSERT INTO messages (message_id, session_id, role, content_json, created_timestamp) VALUES (?, ?, ?, ?, ?)',
    ['msg_1', GOOSE_IMPORTED, 'user', JSON.stringify([{ type: 'text', text: `fix ${MARKER} in ${CWD}/app.ts` }]), 1777636800]);
  return db;
}

async function kiloStore(home: string): Promise<TestDb> {
  const db = await openDb(join(home, '.local/share/kilo/kilo.db'), { wal: true });
  await db.exec('CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER, time_updated INTEGER, data TEXT NOT NULL)');
  await db.exec('CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL, data TEXT NOT NULL)');
  const t0 = Date.UTC(2026, 4, 10, 9, 0, 0);
  const msg = (id: string, created: number, data: object) =>
    db.exec('INSERT INTO message VALUES (?, ?, ?, ?, ?)', [id, KILO_SESSION, created, created, JSON.stringify({ id, sessionID: KILO_SESSION, time: { created }, path: { cwd: CWD, root: CWD }, ...data })]);
  await msg('msg_k1', t0, { role: 'user', agent: 'code' });
  await db.exec('INSERT INTO part VALUES (?, ?, ?, ?)', ['prt_k1', 'msg_k1', KILO_SESSION, JSON.stringify({ type: 'text', text: `fix ${MARKER} in ${CWD}` })]);
  // Finished; reasoning 5 with no total to show it was counted apart: output stays 100.
  await msg('msg_k2', t0 + 1000, { role: 'assistant', modelID: 'anthropic/claude-sonnet-4.5', providerID: 'kilo', cost: 0.01, finish: 'stop', time: { created: t0 + 1000, completed: t0 + 4000 }, tokens: { input: 20, output: 100, reasoning: 5, cache: { read: 300, write: 10 } } });
  // Finished; total 56 = 10 + 40 + 6 reasoning: the reasoning was counted apart, output 46.
  await msg('msg_k3', t0 + 9000, { role: 'assistant', modelID: 'openai/gpt-5.1', providerID: 'kilo', cost: 0.02, finish: 'tool-calls', tokens: { total: 56, input: 10, output: 40, reasoning: 6, cache: { read: 0, write: 0 } } });
  // Still streaming in a store written just now: held back.
  await msg('msg_k4', t0 + 20_000, { role: 'assistant', modelID: 'openai/gpt-5.1', providerID: 'kilo', tokens: { input: 3, output: 1, reasoning: 0, cache: { read: 0, write: 0 } } });
  return db;
}

async function hermesStore(home: string): Promise<TestDb> {
  const db = await openDb(join(home, '.hermes/state.db'), { wal: true });
  await db.exec(`CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT NOT NULL, user_id TEXT, model TEXT, model_config TEXT,
    system_prompt TEXT, parent_session_id TEXT, started_at REAL NOT NULL, ended_at REAL, end_reason TEXT,
    message_count INTEGER DEFAULT 0, tool_call_count INTEGER DEFAULT 0, input_tokens INTEGER DEFAULT 0, output_tokens INTEGER DEFAULT 0,
    cache_read_tokens INTEGER DEFAULT 0, cache_write_tokens INTEGER DEFAULT 0, reasoning_tokens INTEGER DEFAULT 0,
    billing_provider TEXT, billing_base_url TEXT, estimated_cost_usd REAL, actual_cost_usd REAL, title TEXT)`);
  await db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, role TEXT NOT NULL, content TEXT, tool_name TEXT, timestamp REAL NOT NULL)');
  const session = (id: string, model: string, provider: string | null, started: number, c: number[]) => db.exec(
    `INSERT INTO sessions (id, source, model, system_prompt, started_at, message_count, input_tokens, output_tokens, cache_read_tokens,
      cache_write_tokens, reasoning_tokens, billing_provider, billing_base_url, estimated_cost_usd, title) VALUES (?, 'cli', ?, ?, ?, 2, ?, ?, ?, ?, ?, ?, ?, 0.01, ?)`,
    [id, model, `You are working in ${CWD}`, started, ...c, provider, 'https://api.anthropic.com', `fix ${MARKER}`]);
  await session(HERMES_SESSION, 'claude-sonnet-4-5', 'anthropic', 1779000000.5, [1200, 300, 50, 20, 10]);
  await session('20260518_090000_abc123', 'gpt-5.1', null, 1779094800, [500, 60, 1000, 0, 30]);
  await session('20260519_100000_def456', 'gpt-5.1', 'openai', 1779184800, [100, 10, 0, 0, 0]);
  const message = (sid: string, role: string, ts: number) => db.exec('INSERT INTO messages (session_id, role, content, timestamp) VALUES (?, ?, ?, ?)', [sid, role, `about ${MARKER} in ${CWD}`, ts]);
  await message(HERMES_SESSION, 'user', 1779000010);
  await message(HERMES_SESSION, 'assistant', 1779000600);
  return db;
}

/** The fixture files plus live stores. Close the stores (`close()`) when done. */
export async function totalsHome(): Promise<Home & Stores> {
  const h = copyHome(TOTALS_HOME);
  const goose = await gooseStore(h.home);
  const kilo = await kiloStore(h.home);
  const hermes = await hermesStore(h.home);
  return {
    ...h, goose, kilo, hermes,
    gooseTotals: (id, input, output, total, read = 0, write = 0) => goose.exec(
      `UPDATE sessions SET accumulated_input_tokens = ?, accumulated_output_tokens = ?, accumulated_total_tokens = ?,
        accumulated_cache_read_tokens = ?, accumulated_cache_write_tokens = ?, updated_at = ? WHERE id = ?`,
      [input, output, total, read, write, '2026-05-03 10:00:00', id]),
    async close() {
      for (const db of [goose, kilo, hermes]) await db.close().catch(() => undefined);
    },
  };
}
