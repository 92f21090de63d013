// The pieces the VS Code-family collectors share: editor user dirs per OS and VS Code's own
// variables, settings.json with comments, splitting usage over the per-event limit, and
// naming a provider from a model id.
import test from 'ava';
import { join } from 'node:path';
import { editorUserDirs, stripJsonc } from '../collectors/vscode-dirs.ts';
import { splitEvent } from '../collectors/split.ts';
import { providerOf } from '../collectors/provider.ts';
import { checkBatch, MAX_EVENT_TOKENS } from '../wire.ts';
import { ev } from './helpers/events.ts';

test('editor user dirs: Linux, macOS and Windows defaults, remote servers', (t) => {
  const linux = editorUserDirs({}, '/home/ana', 'linux');
  for (const product of ['Code', 'Code - Insiders', 'VSCodium', 'Cursor', 'Windsurf']) t.true(linux.includes(`/home/ana/.config/${product}/User`), product);
  for (const server of ['.vscode-server', '.vscode-server-insiders', '.cursor-server', '.windsurf-server']) t.true(linux.includes(`/home/ana/${server}/data/User`), server);
  t.true(linux.includes('/home/ana/.var/app/com.visualstudio.code/config/Code/User'), 'Flatpak');
  const mac = editorUserDirs({}, '/Users/ana', 'darwin');
  t.true(mac.includes('/Users/ana/Library/Application Support/Cursor/User'));
  t.false(mac.some((d) => d.includes('.config')));
  const win = editorUserDirs({ APPDATA: 'R:' }, 'C:', 'win32');
  t.true(win.includes(join('R:', 'Code', 'User')));
  t.true(editorUserDirs({}, 'C:', 'win32').includes(join('C:', 'AppData', 'Roaming', 'Windsurf', 'User')), 'no APPDATA: the profile\'s Roaming');
});

test('editor user dirs: XDG_CONFIG_HOME, VSCODE_APPDATA, VSCODE_PORTABLE, VSCODE_AGENT_FOLDER', (t) => {
  t.true(editorUserDirs({ XDG_CONFIG_HOME: '/x' }, '/h', 'linux').includes('/x/Code/User'));
  const app = editorUserDirs({ VSCODE_APPDATA: '/a' }, '/h', 'darwin');
  t.true(app.includes('/a/Code/User'));
  t.false(app.some((d) => d.includes('Application Support')));
  t.is(editorUserDirs({ VSCODE_PORTABLE: '/p' }, '/h', 'linux')[0], '/p/user-data/User');
  t.true(editorUserDirs({ VSCODE_AGENT_FOLDER: '/srv/vsc' }, '/h', 'linux').includes('/srv/vsc/data/User'));
  const all = editorUserDirs({}, '/h', 'linux');
  t.is(new Set(all).size, all.length);
});

test('settings.json: comments and trailing commas go, strings stay as they are', (t) => {
  const text = `{
    // a line comment
    "a": "keep // this, and /* this */", /* block */
    "b": [1, 2,],
    "c": "x,}",
  }`;
  t.deepEqual(JSON.parse(stripJsonc(text)), { a: 'keep // this, and /* this */', b: [1, 2], c: 'x,}' });
});

test('usage over the per-event limit is split into events that sum to it exactly', (t) => {
  const big = ev({ id: 'x-1', input_tokens: 3_000_000, output_tokens: 1_500_001, cache_read_tokens: 7, cache_write_tokens: 500_000, cache_write_1h_tokens: 200_000 });
  const parts = splitEvent(big);
  // 3,000,000 + 1,500,001 + 7 + 500,000 = 5,000,008 tokens: ceil(5,000,008 / 1,999,995) = 3 pieces,
  // each count shared evenly (split.ts): in 1,000,000 each; out 500,000, 500,000, 500,001; read 2, 2, 3;
  // 5-minute writes 300,000 → 100,000 each; 1-hour writes 200,000 → 66,666, 66,667, 66,667.
  // 1,000,000 + 500,000 + 2 + 100,000 + 66,666 = 1,666,668, then 1,666,669, then 1,000,000 + 500,001 + 3 + 100,000 + 66,667 = 1,666,671
  t.deepEqual(parts.map((p) => p.input_tokens + p.output_tokens + p.cache_read_tokens + p.cache_write_tokens), [1_666_668, 1_666_669, 1_666_671]);
  const sum = (k: 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens' | 'cache_write_1h_tokens') => parts.reduce((s, p) => s + (p[k] ?? 0), 0);
  t.deepEqual([sum('input_tokens'), sum('output_tokens'), sum('cache_read_tokens'), sum('cache_write_tokens'), sum('cache_write_1h_tokens')], [3_000_000, 1_500_001, 7, 500_000, 200_000]);
  t.deepEqual(parts.map((p) => p.id), ['x-1:1', 'x-1:2', 'x-1:3']);
  t.true(checkBatch({ events: parts }).ok);
  t.true(parts.every((p) => (p.cache_write_1h_tokens ?? 0) <= p.cache_write_tokens));
  const small = ev({ input_tokens: MAX_EVENT_TOKENS, output_tokens: 0 });
  t.deepEqual(splitEvent(small), [small]);
});

test('provider from a model id: the vendor an OpenRouter-style id names, else the family, else the fallback', (t) => {
  t.is(providerOf('anthropic/claude-sonnet-4.5', undefined, 'x'), 'anthropic');
  t.is(providerOf('claude-opus-4.5', undefined, 'x'), 'anthropic');
  t.is(providerOf('us.anthropic.claude-sonnet-4-20250514-v1:0', undefined, 'x'), 'anthropic');
  t.is(providerOf('gpt-5.2', undefined, 'x'), 'openai');
  t.is(providerOf('o4-mini', undefined, 'x'), 'openai');
  t.is(providerOf('gemini-2.5-pro', undefined, 'x'), 'google');
  t.is(providerOf('deepseek-chat', undefined, 'x'), 'deepseek');
  t.is(providerOf('my-local-model', undefined, 'unknown'), 'unknown');
});

test('collect --help names each VS Code-family source, where it reads and the variables it honours', async (t) => {
  const { HELP } = await import('../cli/help.ts');
  for (const s of ['Cline', 'Roo Code', 'Kilo Code', 'Copilot Chat', 'saoudrizwan.claude-dev', 'rooveterinaryinc.roo-cline', 'kilocode.kilo-code', 'chatSessions',
    'CLINE_DIR', 'CLINE_DATA_DIR', 'CLINE_SESSION_DATA_DIR', 'VSCODE_APPDATA', 'VSCODE_PORTABLE', 'VSCODE_AGENT_FOLDER', 'customStoragePath', '.vscode-server']) t.true(HELP.collect.includes(s), s);
});
