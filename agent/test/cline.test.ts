// Cline: classic tasks (ui_messages.json) and SDK sessions (*.messages.json). Expected
// numbers are worked out by hand from agent/test/fixtures/vscode/generate.py.
import test from 'ava';
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBatch } from '../wire.ts';
import { clineRoots } from '../collectors/cline.ts';
import { newUsage, type UsageRow } from '../collectors/cline-tasks.ts';
import { eventId, sessionHash } from '../ids.ts';
import { cursorPath } from '../collectors/index.ts';
import { age, bySource, totals } from './helpers/logs.ts';
import { copyVscodeHome, VSCODE_FIXTURES } from './helpers/vscode-home.ts';

const T1 = '1770000000001';
const T2 = '1770000100000';
const S1 = '1784094053271_p8pzo';
const STORE = '.config/Code/User/globalStorage/saoudrizwan.claude-dev';
const CURSOR_STORE = '.config/Cursor/User/globalStorage/saoudrizwan.claude-dev';
const SALT = Buffer.alloc(32, 7); // the salt copyHome's scans use

const cline = (events: Parameters<typeof bySource>[1]) => bySource('cline', events);
const say = (ts: number, kind: string, info: object | string, extra: object = {}) => ({ ts, type: 'say', say: kind, text: typeof info === 'string' ? info : JSON.stringify(info), ...extra });
const sonnet = { modelInfo: { providerId: 'anthropic', modelId: 'claude-sonnet-4-5-20250929', mode: 'act' } };

function t1Path(home: string, store = STORE): string {
  return join(home, store, 'tasks', T1, 'ui_messages.json');
}
function rows(path: string): object[] {
  return JSON.parse(readFileSync(path, 'utf8')) as object[];
}

test('classic tasks: each provider\'s tokensIn read right, the same task in two editors once, a subagent batch over 2M split', (t) => {
  const h = copyVscodeHome();
  const ev = cline(h.scan().events).filter((e) => e.ts < 1780000000000); // the SDK session is tested below
  // T1 (in Code and, with the same task id, in Cursor: counted once):
  //   anthropic   in 12, out 340, read 0, write 5000
  //   openrouter  in 20, out 150, read 5000, write 300
  //   openai (compatible, prompt_tokens include the cache): in 8000 - 6000 = 2000, out 200, read 6000
  //   no modelInfo -> task_metadata.json says gemini-2.5-pro from 1770000003500: in 7, out 70, read 700
  //   the cancelled placeholder: nothing; the last request: in 3, out 30, read 300
  // T2 (Cursor): a checkpoint aggregate of rows never seen: in 100, out 50, read 1000, write 10;
  //   a subagent batch of 2,501,000 tokens: sent as two events of 1,250,500
  // T3 (~/.cline/data) is half-written: nothing yet.
  t.deepEqual(totals(ev), {
    events: 5 + 1 + 2,
    input_tokens: 12 + 20 + 2000 + 7 + 3 + 100 + 2500000, // 2502142
    output_tokens: 340 + 150 + 200 + 70 + 30 + 50 + 1000, // 1840
    cache_read_tokens: 0 + 5000 + 6000 + 700 + 300 + 1000, // 13000
    cache_write_tokens: 5000 + 300 + 10, // 5310
  });
  t.true(checkBatch({ events: ev }).ok);
  const t1 = ev.filter((e) => e.session === sessionHash(SALT, T1));
  t.is(t1.length, 5);
  t.deepEqual(t1.map((e) => [e.provider, e.model]).sort(), [
    ['anthropic', 'claude-sonnet-4-5-20250929'], ['anthropic', 'claude-sonnet-4-5-20250929'], ['google', 'gemini-2.5-pro'], ['openai', 'gpt-4.1'], ['openrouter', 'anthropic/claude-sonnet-4.5'],
  ]);
  const split = ev.filter((e) => e.model === 'claude-haiku-4-5').sort((a, b) => a.id!.localeCompare(b.id!));
  // 2,500,000 in + 1000 out: ceil(2,501,000 / 1,999,995) = 2 pieces of 1,250,000 + 500 each (split.ts)
  t.deepEqual(split.map((e) => e.input_tokens + e.output_tokens), [1_250_500, 1_250_500]);
  t.deepEqual(split.map((e) => e.id), [`${eventId('cl', T2, 1770000101000)}:1`, `${eventId('cl', T2, 1770000101000)}:2`]);
  t.is(new Set(ev.map((e) => e.id)).size, ev.length);
  // Another task id in the same folders is another task.
  t.is(ev.filter((e) => e.session === sessionHash(SALT, T2)).length, 3);
});

test('a task rewritten in place is re-read without double counting; only the new request counts', (t) => {
  const h = copyVscodeHome();
  h.scan();
  const path = t1Path(h.home);
  // The same content written again (a new mtime): nothing new.
  writeFileSync(path, readFileSync(path));
  age(h.home);
  t.is(cline(h.scan().events).length, 0);
  // The next turn: the whole list again, plus one request.
  writeFileSync(path, JSON.stringify([...rows(path), say(1770000009000, 'api_req_started', { request: 'next', tokensIn: 5, tokensOut: 55, cacheReads: 555, cacheWrites: 0 }, sonnet)]));
  age(h.home);
  const ev = cline(h.scan().events);
  t.deepEqual(totals(ev), { events: 1, input_tokens: 5, output_tokens: 55, cache_read_tokens: 555, cache_write_tokens: 0 });
  t.is(ev[0].id, eventId('cl', T1, 1770000009000));
  t.is(cline(h.scan().events).length, 0);
});

test('a rescan with nothing new reads nothing (a same-size, same-mtime change goes unseen until the file changes)', (t) => {
  const h = copyVscodeHome();
  const path = t1Path(h.home);
  const pad = (text: string) => say(1770000009500, 'text', text);
  writeFileSync(path, JSON.stringify([...rows(path), pad('p'.repeat(600))]));
  age(h.home);
  h.scan();
  const size = statSync(path).size;
  const before = statSync(path);
  // Same bytes count and mtime, but a new request inside: only a read would find it.
  const extra = say(1770000009000, 'api_req_started', { tokensIn: 1, tokensOut: 2, cacheReads: 3, cacheWrites: 4 }, sonnet);
  const base = [...rows(path).slice(0, -1), extra];
  const filler = size - Buffer.byteLength(JSON.stringify([...base, pad('')]));
  writeFileSync(path, JSON.stringify([...base, pad('q'.repeat(filler))]));
  t.is(statSync(path).size, size);
  utimesSync(path, before.atime, before.mtime);
  t.is(cline(h.scan().events).length, 0);
  // Once the file really changes (its mtime moves), it is read and the request found.
  age(h.home);
  t.deepEqual(totals(cline(h.scan().events)), { events: 1, input_tokens: 1, output_tokens: 2, cache_read_tokens: 3, cache_write_tokens: 4 });
});

test('a checkpoint restore: the aggregate counts only the deleted rows never counted', (t) => {
  const h = copyVscodeHome();
  h.scan();
  const path = t1Path(h.home);
  // Restoring to the checkpoint before 1770000004000 deletes the rows from there on. They were
  // counted (7/70/700/0 and 3/30/300/0) except one sent after the last scan (1/11/111/0).
  // The aggregate Cline writes sums all three: 11/111/1111/0.
  const kept = rows(path).filter((r) => (r as { ts: number }).ts < 1770000004000);
  writeFileSync(path, JSON.stringify([...kept, say(1770000008000, 'deleted_api_reqs', { tokensIn: 11, tokensOut: 111, cacheWrites: 0, cacheReads: 1111, cost: 0.01 }, sonnet)]));
  age(h.home);
  const ev = cline(h.scan().events);
  // new: 11 - 10 = 1, 111 - 100 = 11, 1111 - 1000 = 111
  t.deepEqual(totals(ev), { events: 1, input_tokens: 1, output_tokens: 11, cache_read_tokens: 111, cache_write_tokens: 0 });
  t.is(cline(h.scan().events).length, 0);
});

test('the newest request is held while the task is written, and an empty one until it is filled in', (t) => {
  const h = copyVscodeHome();
  h.scan();
  const path = t1Path(h.home);
  const base = rows(path);
  writeFileSync(path, JSON.stringify([...base, say(1770000009000, 'api_req_started', { request: 'streaming' }, sonnet)]));
  t.is(cline(h.scan().events).length, 0, 'just written: held');
  t.is(cline(h.scan({ now: Date.now() + 3600_000 }).events).length, 0, 'quiet but empty: nothing to count yet');
  writeFileSync(path, JSON.stringify([...base, say(1770000009000, 'api_req_started', { request: 'streaming', tokensIn: 9, tokensOut: 99, cacheReads: 0, cacheWrites: 999 }, sonnet)]));
  t.is(cline(h.scan().events).length, 0, 'filled in, but the file is still being written');
  const ev = cline(h.scan({ now: Date.now() + 3600_000 }).events);
  t.deepEqual(totals(ev), { events: 1, input_tokens: 9, output_tokens: 99, cache_read_tokens: 0, cache_write_tokens: 999 });
  t.is(cline(h.scan({ now: Date.now() + 3600_000 }).events).length, 0);
});

test('a half-written task file is skipped, then read once complete; a local provider is marked local', (t) => {
  const h = copyVscodeHome();
  const path = join(h.home, '.cline/data/tasks/1770000200000/ui_messages.json');
  const t3 = sessionHash(SALT, '1770000200000');
  t.is(cline(h.scan().events).filter((e) => e.session === t3).length, 0);
  t.is(cline(h.scan().events).length, 0, 'still broken: still nothing');
  writeFileSync(path, readFileSync(join(VSCODE_FIXTURES, 'cline-t3-complete.json')));
  age(h.home);
  const ev = cline(h.scan().events);
  t.is(ev.length, 1);
  t.like(ev[0], { provider: 'ollama', model: 'qwen3:14b', is_local: true, input_tokens: 40, output_tokens: 4 });
});

test('a deleted task: no error, nothing new, and its cursor is dropped', (t) => {
  const h = copyVscodeHome();
  h.scan();
  const cursors = () => Object.keys((JSON.parse(readFileSync(cursorPath(h.state), 'utf8')) as { files: object }).files).length;
  const n = cursors();
  rmSync(join(h.home, CURSOR_STORE, 'tasks', T2), { recursive: true });
  t.is(cline(h.scan().events).length, 0);
  t.is(cursors(), n - 1);
  // The copy of T1 in Cursor going away changes nothing either: the task was counted.
  rmSync(join(h.home, CURSOR_STORE, 'tasks', T1), { recursive: true });
  t.is(cline(h.scan().events).length, 0);
});

test('a copy of a task that goes on in the other editor counts only its new requests', (t) => {
  const h = copyVscodeHome();
  h.scan();
  const path = t1Path(h.home, CURSOR_STORE);
  writeFileSync(path, JSON.stringify([...rows(path), say(1770000009000, 'api_req_started', { tokensIn: 4, tokensOut: 44, cacheReads: 0, cacheWrites: 0 }, sonnet)]));
  age(h.home);
  t.deepEqual(totals(cline(h.scan().events)), { events: 1, input_tokens: 4, output_tokens: 44, cache_read_tokens: 0, cache_write_tokens: 0 });
});

test('SDK sessions: per-call metrics with the cache taken out of inputTokens, subagents in the parent session', (t) => {
  const h = copyVscodeHome();
  const ev = cline(h.scan().events).filter((e) => e.session === sessionHash(SALT, S1));
  // msg_a1: in 1021 - 1000 = 21, out 80, read 1000
  // msg_a3 (model from the manifest): in 5500 - 3000 - 2000 = 500, out 300, read 3000, write 2000
  // researcher msg_s1 (openai-native): in 900 - 100 = 800, out 90, read 100
  // msg_a2 has no metrics; msg_err is display-only
  t.deepEqual(totals(ev), { events: 3, input_tokens: 21 + 500 + 800, output_tokens: 80 + 300 + 90, cache_read_tokens: 1000 + 3000 + 100, cache_write_tokens: 2000 });
  t.deepEqual(new Set(ev.map((e) => e.session)), new Set([sessionHash(SALT, S1)]));
  t.deepEqual(ev.map((e) => `${e.provider}/${e.model}`).sort(), ['anthropic/claude-sonnet-4-6', 'anthropic/claude-sonnet-4-6', 'openai/gpt-5.2']);
  // The file is rewritten whole as the session goes on: only the new call counts.
  const path = join(h.home, '.cline/data/sessions', S1, `${S1}.messages.json`);
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { messages: object[] };
  doc.messages.push({ id: 'msg_a4', role: 'assistant', ts: 1784094070000, modelInfo: { id: 'claude-sonnet-4-6', provider: 'anthropic' }, metrics: { inputTokens: 60, outputTokens: 6, cacheReadTokens: 50, cacheWriteTokens: 0, cost: 0 } });
  writeFileSync(path, JSON.stringify(doc));
  age(h.home);
  t.deepEqual(totals(cline(h.scan().events)), { events: 1, input_tokens: 10, output_tokens: 6, cache_read_tokens: 50, cache_write_tokens: 0 });
});

test('SDK session resuming a classic task: the task\'s totals it starts with are not counted again', (t) => {
  const h = copyVscodeHome();
  const ev = cline(h.scan().events).filter((e) => e.session === sessionHash(SALT, '1784100000000_legac'));
  // msg_l2 carries the classic task's totals (99999/9999/999/99) ahead of the legacy warning: skipped.
  // msg_l5, after it: in 4000 - 3900 = 100, out 40, read 3900
  t.deepEqual(totals(ev), { events: 1, input_tokens: 100, output_tokens: 40, cache_read_tokens: 3900, cache_write_tokens: 0 });
});

test('newUsage: rows up to the watermark are counted once; an aggregate adds only what was never counted', (t) => {
  const row = (ts: number, counts: [number, number, number, number], aggregate = false): UsageRow => ({ ts, counts, aggregate, msg: {}, info: {} });
  const first = newUsage([row(1, [1, 1, 0, 0]), row(2, [2, 2, 0, 0]), row(3, [3, 3, 0, 0])], undefined, true);
  t.deepEqual(first.emit.map((e) => e.row.ts), [1, 2, 3]);
  t.deepEqual(first.next, { w: 3, t: [6, 6, 0, 0] });
  // Rows 2 and 3 deleted; a row 4 came and went unseen; the aggregate sums 2 + 3 + 4.
  const second = newUsage([row(1, [1, 1, 0, 0]), row(5, [9, 9, 0, 0], true)], first.next, true);
  t.deepEqual(second.emit.map((e) => e.counts), [[4, 4, 0, 0]]);
  t.deepEqual(second.next, { w: 5, t: [10, 10, 0, 0] });
  // Unsettled: the newest row waits.
  const third = newUsage([row(1, [1, 1, 0, 0]), row(5, [9, 9, 0, 0], true), row(6, [1, 0, 0, 0])], second.next, false);
  t.deepEqual(third.emit, []);
  t.true(third.held);
  t.deepEqual(third.next, second.next);
});

test('Cline locations: every editor (desktop and remote), ~/.cline/data, and Cline\'s own variables', (t) => {
  const r = clineRoots({}, '/h', 'linux');
  t.true(r.editors.includes('/h/.config/Code/User'));
  t.true(r.editors.includes('/h/.vscode-server/data/User'));
  t.deepEqual(r.stores, ['/h/.cline/data']);
  t.deepEqual(r.sessions, ['/h/.cline/data/sessions']);
  t.deepEqual(clineRoots({ CLINE_DIR: '/c' }, '/h', 'linux').stores, ['/c/data']);
  const own = clineRoots({ CLINE_DIR: '/c', CLINE_DATA_DIR: '/d', CLINE_SESSION_DATA_DIR: '/s' }, '/h', 'linux');
  t.deepEqual([own.stores, own.sessions], [['/d'], ['/s']]);
  t.is(clineRoots({ CLINE_DATA_DIR: '/d' }, '/h', 'linux').sessions[0], '/d/sessions');
});
