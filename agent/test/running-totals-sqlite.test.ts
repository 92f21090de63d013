// Goose, Kilo CLI and Hermes keep SQLite stores, read with node:sqlite: these tests scan under
// a Node that has it (helpers/node22.ts) live stores built by helpers/totals-home.ts (WAL, the
// writer's connection open, as the tools keep them). Expected numbers are worked out by hand
// from the rows there.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { eventId } from '../ids.ts';
import { join } from 'node:path';
import { checkBatch } from '../wire.ts';
import { totals, bySource as of } from './helpers/logs.ts';
import { scanWithSqlite } from './helpers/node22.ts';
import { GOOSE_IMPORTED, HERMES_SESSION, KILO_SESSION, totalsHome } from './helpers/totals-home.ts';

const none = { events: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 };

test('goose: one event per session total; the store row wins over its legacy file; cache out of input; reasoning in output', async (t) => {
  const h = await totalsHome();
  try {
    const ev = of('goose', await scanWithSqlite(h.home, h.state));
    // 20260501_120000: its legacy file says 4600 in / 500 out / 5200 total; the store row it was
    //   imported into has grown to 9000 in (3000 read + 1000 written among them) / 800 out /
    //   9900 total: in 9000 - 3000 - 1000 = 5000, out 800 + (9900 - 9000 - 800 =) 100 = 900
    // 20260502_1: no accumulated counts, the last request's: in 300, out 40
    // 20260503_1: in 1000, out 100
    // 20260504_1 (no model): in 50, out 5; 20260505_1 has no usage; 20260502_090000.jsonl is half-written
    t.deepEqual(totals(ev), { events: 4, input_tokens: 5000 + 300 + 1000 + 50, output_tokens: 900 + 40 + 100 + 5, cache_read_tokens: 3000, cache_write_tokens: 1000 });
    t.true(checkBatch({ events: ev }).ok);
    const byModel = Object.fromEntries(ev.map((e) => [e.model, e]));
    t.like(byModel['claude-sonnet-4-5'], { provider: 'anthropic', ts: Date.UTC(2026, 4, 1, 12, 30), input_tokens: 5000, output_tokens: 900 });
    t.like(byModel['gpt-4o'], { provider: 'openai', ts: Date.UTC(2026, 4, 2, 8, 5) });
    t.like(byModel['gemini-2.5-pro'], { provider: 'google', ts: Date.UTC(2026, 4, 3, 9, 10) });
    t.like(byModel.unknown, { provider: 'unknown', input_tokens: 50 });
    t.is(new Set(ev.map((e) => e.session)).size, 4);
    t.false(JSON.stringify(ev).includes(GOOSE_IMPORTED));
    t.deepEqual(of('goose', await scanWithSqlite(h.home, h.state)), [], 'nothing new');
  } finally {
    await h.close();
  }
});

test('goose: a growing total, a write not yet committed, a huge jump in pieces, a reset, and growth past it', async (t) => {
  const h = await totalsHome();
  const scan = async () => of('goose', await scanWithSqlite(h.home, h.state));
  try {
    await scan();
    // 1500/180/1680 after 1000/100/1100: in +500, out +80
    await h.gooseTotals('20260503_1', 1500, 180, 1680);
    t.deepEqual(totals(await scan()), { events: 1, input_tokens: 500, output_tokens: 80, cache_read_tokens: 0, cache_write_tokens: 0 });
    // Goose is in the middle of writing: the new total is in the WAL but not committed.
    await h.goose.exec('BEGIN');
    await h.gooseTotals('20260503_1', 4_001_500, 1_000_180, 5_001_680);
    t.deepEqual(totals(await scan()), none, 'an uncommitted row is not read');
    await h.goose.exec('COMMIT');
    // +4,000,000 in, +1,000,000 out: 5,000,000 tokens, ceil(5,000,000 / 1,999,995) = 3 pieces
    const jump = await scan();
    t.deepEqual(jump.map((e) => [e.input_tokens, e.output_tokens]), [[1_333_333, 333_333], [1_333_333, 333_333], [1_333_334, 333_334]]);
    t.true(checkBatch({ events: jump }).ok);
    // Restored from a backup: lower counts. Nothing: all of it was sent before.
    await h.gooseTotals('20260503_1', 2000, 200, 2200);
    t.deepEqual(await scan(), []);
    // Past the highest total: in 4,001,600 - 4,001,500 = 100, out 1,000,200 - 1,000,180 = 20
    await h.gooseTotals('20260503_1', 4_001_600, 1_000_200, 5_001_800);
    t.deepEqual(totals(await scan()), { events: 1, input_tokens: 100, output_tokens: 20, cache_read_tokens: 0, cache_write_tokens: 0 });
  } finally {
    await h.close();
  }
});

test('goose: the legacy file read on Node 20, then its store row on Node 22: only what the row adds', async (t) => {
  const h = await totalsHome();
  try {
    // Node 20 (this process) reads only the legacy file: 4600 in (cache inside, not split), 500 + 100 reasoning out.
    t.deepEqual(totals(of('goose', h.scan().events)), { events: 1, input_tokens: 4600, output_tokens: 600, cache_read_tokens: 0, cache_write_tokens: 0 });
    const ev = of('goose', await scanWithSqlite(h.home, h.state));
    // The row's 5000/900/3000/1000 against 4600/600/0/0: +400 in, +300 out, +3000 read, +1000 written,
    // and the three other sessions as in the first test (in 300 + 1000 + 50, out 40 + 100 + 5)
    t.deepEqual(totals(ev), { events: 4, input_tokens: 400 + 1350, output_tokens: 300 + 145, cache_read_tokens: 3000, cache_write_tokens: 1000 });
    // The half-written legacy file is finished: read now.
    writeFileSync(join(h.home, '.local/share/goose/sessions/20260502_090000.jsonl'), `${JSON.stringify({ description: 'done', message_count: 1, accumulated_input_tokens: 70, accumulated_output_tokens: 7 })}\n`);
    t.deepEqual(totals(of('goose', await scanWithSqlite(h.home, h.state))), { events: 1, input_tokens: 70, output_tokens: 7, cache_read_tokens: 0, cache_write_tokens: 0 });
  } finally {
    await h.close();
  }
});

test('kilo-cli: the OpenCode reader on kilo.db: finished messages once, an unfinished one when it finishes', async (t) => {
  const h = await totalsHome();
  try {
    const ev = of('kilo-cli', await scanWithSqlite(h.home, h.state));
    // msg_k2: in 20, out 100 (reasoning 5 not shown apart by a total), read 300, write 10
    // msg_k3: total 56 = 10 + 40 + 6: in 10, out 46; msg_k4 is still streaming; msg_k1 is the user's
    t.deepEqual(totals(ev), { events: 2, input_tokens: 20 + 10, output_tokens: 100 + 46, cache_read_tokens: 300, cache_write_tokens: 10 });
    t.true(ev.every((e) => e.provider === 'kilo' && e.session === ev[0].session));
    t.deepEqual(ev.map((e) => e.model).sort(), ['anthropic/claude-sonnet-4.5', 'openai/gpt-5.1']);
    t.false(JSON.stringify(ev).includes(KILO_SESSION));
    t.deepEqual(of('kilo-cli', await scanWithSqlite(h.home, h.state)), []);
    const created = Date.UTC(2026, 4, 10, 9, 0, 20);
    await h.kilo.exec('UPDATE message SET data = ? WHERE id = ?', [JSON.stringify({ id: 'msg_k4', sessionID: KILO_SESSION, role: 'assistant', modelID: 'openai/gpt-5.1', providerID: 'kilo', finish: 'stop', time: { created, completed: created + 900 }, tokens: { input: 3, output: 12, reasoning: 0, cache: { read: 0, write: 0 } } }), 'msg_k4']);
    t.deepEqual(totals(of('kilo-cli', await scanWithSqlite(h.home, h.state))), { events: 1, input_tokens: 3, output_tokens: 12, cache_read_tokens: 0, cache_write_tokens: 0 });
  } finally {
    await h.close();
  }
});

test('hermes: session totals as they grow; a session id reused with a new start counts afresh', async (t) => {
  const h = await totalsHome();
  try {
    const ev = of('hermes', await scanWithSqlite(h.home, h.state));
    // H1: in 1200, out 300 (its 10 reasoning are inside), read 50, write 20
    // 20260518_090000_abc123: in 500, out 60, read 1000; 20260519_100000_def456: in 100, out 10
    t.deepEqual(totals(ev), { events: 3, input_tokens: 1200 + 500 + 100, output_tokens: 300 + 60 + 10, cache_read_tokens: 50 + 1000, cache_write_tokens: 20 });
    const byIn = Object.fromEntries(ev.map((e) => [e.input_tokens, e]));
    // The time of a total: the session's last message, else its start.
    t.like(byIn[1200], { ts: 1779000600_000, provider: 'anthropic', model: 'claude-sonnet-4-5' });
    t.like(byIn[500], { ts: 1779094800_000, provider: 'openai', model: 'gpt-5.1' });
    t.false(JSON.stringify(ev).includes(HERMES_SESSION));
    // 250/30 after 100/10: +150, +20
    await h.hermes.exec('UPDATE sessions SET input_tokens = 250, output_tokens = 30 WHERE id = ?', ['20260519_100000_def456']);
    t.deepEqual(totals(of('hermes', await scanWithSqlite(h.home, h.state))), { events: 1, input_tokens: 150, output_tokens: 20, cache_read_tokens: 0, cache_write_tokens: 0 });
    // Deleted and started again under the same id: 40/4 is a new session, not a drop of the old one.
    await h.hermes.exec('DELETE FROM sessions WHERE id = ?', ['20260519_100000_def456']);
    await h.hermes.exec("INSERT INTO sessions (id, source, model, started_at, input_tokens, output_tokens) VALUES (?, 'cli', 'gpt-5.1', 1779300000, 40, 4)", ['20260519_100000_def456']);
    t.deepEqual(totals(of('hermes', await scanWithSqlite(h.home, h.state))), { events: 1, input_tokens: 40, output_tokens: 4, cache_read_tokens: 0, cache_write_tokens: 0 });
  } finally {
    await h.close();
  }
});

test('kilo-cli / opencode: state written by an older agent (raw message ids) is read as the event ids they stand for', async (t) => {
  const h = await totalsHome();
  try {
    t.is(of('kilo-cli', await scanWithSqlite(h.home, h.state)).length, 2);
    const file = join(h.state, 'cursors.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { state?: { sent?: string[] } }> };
    const entry = Object.values(saved.files).find((c) => c.state?.sent?.includes(eventId('kl', 'msg_k2')))!;
    t.truthy(entry, 'the store keeps event ids, not message ids');
    entry.state!.sent = ['msg_k2', 'msg_k3'];
    writeFileSync(file, JSON.stringify(saved));
    // The store changes (another message); the two sent before are not sent again.
    await h.kilo.exec('INSERT INTO message VALUES (?, ?, ?, ?, ?)', ['msg_k5', KILO_SESSION, 1, 1, JSON.stringify({ id: 'msg_k5', sessionID: KILO_SESSION, role: 'assistant', modelID: 'm', providerID: 'kilo', finish: 'stop', time: { created: Date.UTC(2026, 4, 11) }, tokens: { input: 1, output: 2, reasoning: 0, cache: { read: 0, write: 0 } } })]);
    t.deepEqual(totals(of('kilo-cli', await scanWithSqlite(h.home, h.state))), { events: 1, input_tokens: 1, output_tokens: 2, cache_read_tokens: 0, cache_write_tokens: 0 });
  } finally {
    await h.close();
  }
});
