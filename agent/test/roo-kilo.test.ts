// Roo Code and Kilo Code (its fork): tokensIn by protocol and release date, the model from
// the prompt's environment details, customStoragePath. Expected numbers are worked out by
// hand from agent/test/fixtures/vscode/generate.py.
import test from 'ava';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBatch } from '../wire.ts';
import { modelAt, promptModels, rooCodeRoots } from '../collectors/roo-code.ts';
import { kiloCodeRoots } from '../collectors/kilo-code.ts';
import { age, bySource, totals } from './helpers/logs.ts';
import { copyVscodeHome } from './helpers/vscode-home.ts';
import { MARKER } from './helpers/canned.ts';

const R1 = '019a1b2c-3d4e-7f60-8a9b-0c1d2e3f4a11';
const REMOTE_ROO = '.vscode-server/data/User/globalStorage/rooveterinaryinc.roo-cline';

test('roo: whole-prompt tokensIn since 3.29.5, the uncached remainder before it for the Anthropic protocol', (t) => {
  const h = copyVscodeHome();
  const ev = bySource('roo-code', h.scan().events);
  // R1 (2026, remote server):
  //   anthropic protocol, whole prompt: in 15025 - 15000 - 20 = 5, out 400, read 15000, write 20 (claude-sonnet-4-5)
  //   openai protocol: in 9000 - 8000 = 1000, out 120, read 8000 (gpt-5.2)
  //   the trailing placeholder never got usage: nothing
  // R2 (2025-09, before 3.29.5):
  //   anthropic: in 30 (already uncached), out 300, read 9000, write 400
  //   anthropic, tokensIn above its cache: still the remainder before the release: in 6000, out 10, read 2000
  //   openai: in 5000 - 4000 = 1000, out 50, read 4000 (deepseek-chat)
  //   no protocol, tokensIn >= cache: in 700 - 200 = 500, out 7, read 200 (deepseek-chat)
  t.deepEqual(totals(ev), {
    events: 6,
    input_tokens: 5 + 1000 + 30 + 6000 + 1000 + 500, // 8535
    output_tokens: 400 + 120 + 300 + 10 + 50 + 7, // 887
    cache_read_tokens: 15000 + 8000 + 9000 + 2000 + 4000 + 200, // 38200
    cache_write_tokens: 20 + 400, // 420
  });
  t.true(checkBatch({ events: ev }).ok);
  t.deepEqual(ev.map((e) => `${e.provider}/${e.model}`).sort(), [
    'anthropic/claude-sonnet-4-20250514', 'anthropic/claude-sonnet-4-20250514', 'anthropic/claude-sonnet-4-5', 'deepseek/deepseek-chat', 'deepseek/deepseek-chat', 'openai/gpt-5.2',
  ]);
  t.is(bySource('roo-code', h.scan().events).length, 0);
});

test('kilo: the same rows read by Kilo\'s own release date (v4.119.0), from a VSCodium profile', (t) => {
  const h = copyVscodeHome();
  const ev = bySource('kilo-code', h.scan().events);
  // 2025-11-05 (after Roo's change, before Kilo took it): in 5000 as recorded, out 100, read 3000, write 1000
  // 2025-11-13: in 5000 - 3000 - 1000 = 1000, out 100, read 3000, write 1000
  t.deepEqual(totals(ev), { events: 2, input_tokens: 5000 + 1000, output_tokens: 200, cache_read_tokens: 6000, cache_write_tokens: 2000 });
  t.deepEqual([...new Set(ev.map((e) => `${e.provider}/${e.model}`))], ['anthropic/anthropic/claude-sonnet-4.5']);
});

test('roo: a task moved by the roo-cline.customStoragePath setting (settings.json with comments) is found', (t) => {
  const h = copyVscodeHome();
  h.scan();
  const custom = join(h.home, `roo-store-${MARKER}`);
  mkdirSync(join(custom, 'tasks'), { recursive: true });
  cpSync(join(h.home, REMOTE_ROO, 'tasks', R1), join(custom, 'tasks', 'moved-task'), { recursive: true });
  mkdirSync(join(h.home, '.config/Code/User'), { recursive: true });
  writeFileSync(join(h.home, '.config/Code/User/settings.json'), `{
  // Roo keeps its tasks elsewhere
  "editor.fontSize": 13, /* a block comment */
  "roo-cline.customStoragePath": ${JSON.stringify(custom)},
}`);
  age(h.home);
  const ev = bySource('roo-code', h.scan().events);
  // Another task id: the two requests of R1 again (5/400/15000/20 and 1000/120/8000/0).
  t.deepEqual(totals(ev), { events: 2, input_tokens: 1005, output_tokens: 520, cache_read_tokens: 23000, cache_write_tokens: 20 });
});

test('roo: a task rewritten with one more request counts that request, with the model its prompt named', (t) => {
  const h = copyVscodeHome();
  h.scan();
  const dir = join(h.home, REMOTE_ROO, 'tasks', R1);
  const ui = JSON.parse(readFileSync(join(dir, 'ui_messages.json'), 'utf8')) as object[];
  // The placeholder at 1772323207000 gets its usage, and a new request follows.
  const filled = ui.map((r) => ((r as { ts: number }).ts === 1772323207000 ? { ...r, text: JSON.stringify({ apiProtocol: 'openai', tokensIn: 300, tokensOut: 30, cacheReads: 100, cacheWrites: 0 }) } : r));
  filled.push({ ts: 1772323209000, type: 'say', say: 'api_req_started', text: JSON.stringify({ apiProtocol: 'anthropic', tokensIn: 80, tokensOut: 8, cacheReads: 70, cacheWrites: 0 }) });
  writeFileSync(join(dir, 'ui_messages.json'), JSON.stringify(filled));
  const history = JSON.parse(readFileSync(join(dir, 'api_conversation_history.json'), 'utf8')) as object[];
  history.push({ role: 'user', content: [{ type: 'text', text: '<environment_details>\n<model>gemini-2.5-pro</model>\n</environment_details>' }], ts: 1772323209300 });
  writeFileSync(join(dir, 'api_conversation_history.json'), JSON.stringify(history));
  age(h.home);
  const ev = bySource('roo-code', h.scan().events).sort((a, b) => a.ts - b.ts);
  // 1772323207000: in 300 - 100 = 200, out 30, read 100 (still gpt-5.2: no newer prompt before the next row)
  // 1772323209000: in 80 - 70 = 10, out 8, read 70 (gemini-2.5-pro)
  t.deepEqual(totals(ev), { events: 2, input_tokens: 210, output_tokens: 38, cache_read_tokens: 170, cache_write_tokens: 0 });
  t.deepEqual(ev.map((e) => `${e.provider}/${e.model}`), ['openai/gpt-5.2', 'google/gemini-2.5-pro']);
});

test('the model of a request: the first prompt stamped after its row and before the next, else the last before it', (t) => {
  const models = promptModels([
    { role: 'user', content: [{ type: 'text', text: '<environment_details>\n<model>a</model>\n</environment_details>' }], ts: 150 },
    { role: 'assistant', content: [{ type: 'text', text: '<environment_details><model>not a prompt</model></environment_details>' }], ts: 160 },
    { role: 'user', content: '<environment_details>\n<model>b</model>\n</environment_details>', ts: 350 },
    { role: 'user', content: [{ type: 'text', text: 'no environment details, <model>c</model>' }], ts: 400 },
  ]);
  t.deepEqual(models, [[150, 'a'], [350, 'b']]);
  t.is(modelAt(models, 100, 200), 'a');
  t.is(modelAt(models, 200, 300), 'a', 'a retry: no new prompt before the next row');
  t.is(modelAt(models, 300, Infinity), 'b');
  t.is(modelAt([], 100, 200), 'unknown');
  t.is(modelAt([[null, 'x'], [null, 'y']], 100, 200), 'y', 'older histories without ts: the task\'s last model');
});

test('Roo and Kilo locations: every editor, Roo\'s CLI store', (t) => {
  t.true(rooCodeRoots({}, '/h', 'darwin').editors.includes('/h/Library/Application Support/Code/User'));
  t.true(rooCodeRoots({}, '/h', 'linux').stores.includes('/h/.vscode-mock/global-storage'));
  t.true(kiloCodeRoots({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'C:\\Users\\ana', 'win32').editors.some((d) => d.includes('VSCodium')));
});
