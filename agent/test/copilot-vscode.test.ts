// VS Code Copilot Chat sessions: the operation log (.jsonl) and the older whole document
// (.json). Only the counts the files keep are sent. Expected numbers are worked out by
// hand from agent/test/fixtures/vscode/generate.py.
import test from 'ava';
import { appendFileSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBatch } from '../wire.ts';
import { copilotVscodeRoots } from '../collectors/copilot-vscode.ts';
import { sessionHash } from '../ids.ts';
import { age, bySource, totals } from './helpers/logs.ts';
import { copyVscodeHome } from './helpers/vscode-home.ts';

const C1 = '5e1f0c2a-7b3d-4c8e-9f10-2a3b4c5d6e7f';
const WS = '.config/Code/User/workspaceStorage';
const LOG = `${WS}/a1b2c3d4e5f60718293a4b5c6d7e8f90/chatSessions/${C1}.jsonl`;
const MOVED = `${WS}/ZQX-MARKER-7731-moved-workspace/chatSessions/${C1}.jsonl`;
const copilot = (events: Parameters<typeof bySource>[1]) => bySource('copilot-vscode', events);
const line = (entry: object) => `${JSON.stringify(entry)}\n`;
const request = (requestId: string, timestamp: number, modelId: string, result?: object) => ({ requestId, timestamp, modelId, message: { text: 'q', parts: [] }, response: [], ...(result ? { result } : {}) });

test('what the sessions keep: the last call\'s prompt/output, earlier reasoning, compaction calls; a copied session once', (t) => {
  const h = copyVscodeHome();
  const ev = copilot(h.scan().events);
  // C1 (in two workspaces' folders, same session and request ids: once):
  //   request_aaa: prompt 21000 as input (no cache split kept), out 900 + 150 (the first call's reasoning) = 1050
  //   request_bbb: no prompt/output kept, reasoning of both calls 300 + 200 = 500 as output
  //   request_ccc: in 50000, out 2000; its compaction call (gpt-4.1): in 30000 - 10000 = 20000, read 10000, out 800
  //     (then undone: cut from the log, still spent)
  //   request_ddd: still running (its result line is half-written): nothing yet
  // C2 (legacy .json, empty window): request_e1 in 1200, out 60; request_e2 failed: nothing
  t.deepEqual(totals(ev), {
    events: 5,
    input_tokens: 21000 + 0 + 50000 + 20000 + 1200, // 92200
    output_tokens: 1050 + 500 + 2000 + 800 + 60, // 4410
    cache_read_tokens: 10000,
    cache_write_tokens: 0,
  });
  t.true(checkBatch({ events: ev }).ok);
  t.deepEqual(ev.map((e) => `${e.provider}/${e.model}`).sort(), ['anthropic/claude-opus-4.5', 'anthropic/claude-sonnet-4.5', 'openai/gpt-4.1', 'openai/gpt-4.1', 'openai/gpt-5.2']);
  t.is(ev.filter((e) => e.session === sessionHash(Buffer.alloc(32, 7), C1)).length, 4);
  t.is(copilot(h.scan().events).length, 0);
});

test('appended log lines are read alone; a half-written line once it is complete', (t) => {
  const h = copyVscodeHome();
  h.scan();
  const path = join(h.home, LOG);
  // Completes the half-written result of request_ddd (claude-sonnet-4.5, in 77, out 7).
  appendFileSync(path, ',"outputTokens":7}}}\n');
  appendFileSync(path, line({ kind: 2, k: ['requests'], v: [request('request_fff', 1775000400000, 'copilot/auto')] }));
  appendFileSync(path, line({ kind: 1, k: ['requests', 3, 'result'], v: { metadata: { promptTokens: 5, outputTokens: 6, resolvedModel: 'gpt-5-mini' } } }));
  age(h.home);
  const ev = copilot(h.scan().events).sort((a, b) => a.ts - b.ts);
  t.deepEqual(ev.map((e) => [e.model, e.input_tokens, e.output_tokens]), [['claude-sonnet-4.5', 77, 7], ['gpt-5-mini', 5, 6]]);
  t.is(copilot(h.scan().events).length, 0);
  // The moved copy gets the same lines later: the same requests, counted already.
  appendFileSync(join(h.home, MOVED), ',"outputTokens":7}}}\n');
  age(h.home);
  t.is(copilot(h.scan().events).length, 0);
});

test('a log compacted into one new first line is read again without double counting', (t) => {
  const h = copyVscodeHome();
  h.scan();
  const path = join(h.home, LOG);
  // What VS Code writes after 1024 entries: the whole session as one kind-0 line (here one
  // request more than before, finished while the log was being rewritten). It is longer than
  // the log was, in the same file: only its first line tells it is another log.
  const size = statSync(path).size;
  const requests = [
    request('request_aaa', 1775000000000, 'copilot/claude-sonnet-4.5', { metadata: { promptTokens: 21000, outputTokens: 900 } }),
    request('request_bbb', 1775000100000, 'copilot/gpt-5.2', { metadata: {} }),
    request('request_ddd', 1775000300000, 'copilot/claude-sonnet-4.5', { metadata: { promptTokens: 77, outputTokens: 7 } }),
  ];
  writeFileSync(path, line({ kind: 0, v: { version: 3, sessionId: C1, creationDate: 1775000000000, requests, inputState: { inputText: 'x'.repeat(size) } } }));
  t.true(statSync(path).size > size);
  age(h.home);
  t.deepEqual(copilot(h.scan().events).map((e) => [e.input_tokens, e.output_tokens]), [[77, 7]]);
  // Appends after the compaction are read from where the new file ends.
  appendFileSync(path, line({ kind: 2, k: ['requests'], v: [request('request_ggg', 1775000500000, 'copilot/gpt-4.1', { metadata: { promptTokens: 1, outputTokens: 2 } })] }));
  age(h.home);
  t.deepEqual(copilot(h.scan().events).map((e) => [e.input_tokens, e.output_tokens]), [[1, 2]]);
});

test('a rescan with nothing new reads nothing (a same-size, same-mtime change goes unseen until the file changes)', (t) => {
  const h = copyVscodeHome();
  const path = join(h.home, `.config/Code/User/globalStorage/emptyWindowChatSessions/6f2a1d3b-8c4e-4d9f-a021-3b4c5d6e7f80.json`);
  h.scan();
  const before = statSync(path);
  // One digit changed in place would give another count if the file were read again.
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.replace('"promptTokens":1200', '"promptTokens":9200'));
  t.is(statSync(path).size, before.size);
  utimesSync(path, before.atime, before.mtime);
  t.is(copilot(h.scan().events).length, 0);
  // It is read once it changes; request_e1 was counted already, so still nothing new…
  age(h.home);
  t.is(copilot(h.scan().events).length, 0);
  // …and a request added to the document is.
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { requests: object[] };
  doc.requests.push(request('request_e3', 1760000090000, 'copilot/gpt-4.1', { metadata: { promptTokens: 3, outputTokens: 4 } }));
  writeFileSync(path, JSON.stringify(doc));
  age(h.home);
  t.deepEqual(copilot(h.scan().events).map((e) => [e.input_tokens, e.output_tokens]), [[3, 4]]);
});

test('a deleted session file: no error, nothing new', (t) => {
  const h = copyVscodeHome();
  h.scan();
  rmSync(join(h.home, LOG));
  rmSync(join(h.home, MOVED));
  t.is(copilot(h.scan().events).length, 0);
});

test('Copilot Chat locations: workspaceStorage of every editor, per OS', (t) => {
  t.true(copilotVscodeRoots({}, '/h', 'linux').editors.includes('/h/.config/Code - Insiders/User'));
  t.true(copilotVscodeRoots({ XDG_CONFIG_HOME: '/x' }, '/h', 'linux').editors.includes('/x/Code/User'));
  t.true(copilotVscodeRoots({}, '/h', 'darwin').editors.includes('/h/Library/Application Support/Code/User'));
  t.true(copilotVscodeRoots({}, '/h', 'darwin').editors.includes('/h/.vscode-server/data/User'));
});
