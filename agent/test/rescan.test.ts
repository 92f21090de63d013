// A rescan with nothing new reads little: the cursor file's lines are parsed only when
// asked for, and OpenCode-format directories whose messages are all final are skipped while
// their mtime stays the same (agent/collectors/final-files.ts says why that is sound).
// These tests change logs behind a skipped directory and check nothing is lost or counted twice.
import test from 'ava';
import { appendFileSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cursors } from '../collectors/cursors.ts';
import { cursorPath } from '../collectors/index.ts';
import { DIR_QUIET_MS } from '../collectors/final-files.ts';
import { bySource, copyHome, totals, type Home } from './helpers/logs.ts';
import { tempDir } from './helpers/tmp.ts';

const SESSION = '.local/share/opencode/storage/message/ses_01JX3ZQXMARKER7731';
const CLAUDE_LOG = '.claude/projects/-Users-ana-ZQX-MARKER-7731-shop-api/8e2d3b0f-5c2a-4d63-8b1f-3a4c0f2e7d21.jsonl'; // ends with a whole line

/** Sets a directory's mtime `ms` ago (quiet long enough to be trusted), returning it. */
function ageDir(dir: string, ms = 2 * DIR_QUIET_MS): number {
  const when = new Date(Date.now() - ms);
  utimesSync(dir, when, when);
  return statSync(dir).mtimeMs;
}

const savedDirs = (h: Home): number => Object.keys((JSON.parse(readFileSync(cursorPath(h.state), 'utf8')) as { dirs: object }).dirs).length;

function message(id: string, tokens: { input: number; output: number }, completed: boolean): string {
  return JSON.stringify({
    id, sessionID: 'ses_01JX3ZQXMARKER7731', role: 'assistant', modelID: 'claude-sonnet-4-5', providerID: 'anthropic',
    time: { created: Date.UTC(2026, 4, 2), ...(completed ? { completed: Date.UTC(2026, 4, 2, 0, 1) } : {}) },
    tokens: { input: tokens.input, output: tokens.output, reasoning: 0, cache: { read: 0, write: 0 } },
  });
}

/** A home whose OpenCode session directory has been scanned once and is now skipped. */
function skippedSession(): { h: Home; dir: string } {
  const h = copyHome();
  const dir = join(h.home, SESSION);
  ageDir(dir);
  h.scan();
  if (savedDirs(h) !== 1) throw new Error('the session directory should have a directory cursor');
  return { h, dir };
}

test('an OpenCode directory of final messages gets a cursor and a rescan finds nothing', (t) => {
  const { h } = skippedSession();
  t.is(bySource('opencode', h.scan().events).length, 0);
  t.is(savedDirs(h), 1, 'the skipped directory keeps its cursor');
  // Its files' cursors too: listing the directory again (it changed) re-sends nothing.
  const dir = join(h.home, SESSION);
  const when = new Date();
  utimesSync(dir, when, when);
  t.is(bySource('opencode', h.scan().events).length, 0);
});

test('a directory changed within DIR_QUIET_MS of the scan gets no cursor (its mtime could repeat)', (t) => {
  const h = copyHome();
  const dir = join(h.home, SESSION);
  ageDir(dir, DIR_QUIET_MS / 2);
  h.scan();
  t.is(savedDirs(h), 0);
});

test('a new message in a skipped directory is found', (t) => {
  const { h, dir } = skippedSession();
  writeFileSync(join(dir, 'msg_9.json'), message('msg_9', { input: 7, output: 70 }, true));
  t.deepEqual(totals(bySource('opencode', h.scan().events)), { events: 1, input_tokens: 7, output_tokens: 70, cache_read_tokens: 0, cache_write_tokens: 0 });
  t.is(bySource('opencode', h.scan().events).length, 0);
});

test('a message unfinished when read keeps its directory listed: finished in place later, it is sent once', (t) => {
  const h = copyHome();
  const dir = join(h.home, SESSION);
  const file = join(dir, 'msg_9.json');
  writeFileSync(file, message('msg_9', { input: 7, output: 3 }, false)); // still being answered
  const before = ageDir(dir);
  // The fixture's two finished messages (msg_1, msg_3); msg_9 waits.
  t.is(bySource('opencode', h.scan().events).length, 2);
  t.is(savedDirs(h), 0, 'not all final: no directory cursor');
  // Rewritten in place (the directory's mtime does not move).
  writeFileSync(file, message('msg_9', { input: 7, output: 70 }, true));
  t.is(statSync(dir).mtimeMs, before);
  t.deepEqual(totals(bySource('opencode', h.scan().events)), { events: 1, input_tokens: 7, output_tokens: 70, cache_read_tokens: 0, cache_write_tokens: 0 });
  t.is(savedDirs(h), 1, 'now all final');
  t.is(bySource('opencode', h.scan().events).length, 0);
});

test('a message caught half-written keeps its directory listed: completed later, it is read', (t) => {
  const h = copyHome();
  const dir = join(h.home, SESSION);
  const file = join(dir, 'msg_9.json');
  const whole = message('msg_9', { input: 7, output: 70 }, true);
  writeFileSync(file, whole.slice(0, 40));
  ageDir(dir);
  t.is(bySource('opencode', h.scan().events).length, 2, 'the fixture\'s msg_1 and msg_3');
  t.is(savedDirs(h), 0);
  writeFileSync(file, whole);
  t.is(bySource('opencode', h.scan().events).length, 1);
});

test('a final message rewritten in place behind a skipped directory is not counted again', (t) => {
  const { h, dir } = skippedSession();
  const before = statSync(dir).mtimeMs;
  const file = join(dir, 'msg_1.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"output": 380', '"output": 381'));
  t.is(statSync(dir).mtimeMs, before);
  // Its event id (from the message id) was sent: the server would take it as a duplicate.
  t.is(bySource('opencode', h.scan().events).length, 0);
});

test('a deleted message: the directory is listed again and the message cursor dropped', (t) => {
  const { h, dir } = skippedSession();
  const files = () => Object.keys((JSON.parse(readFileSync(cursorPath(h.state), 'utf8')) as { files: object }).files).length;
  const n = files();
  writeFileSync(join(dir, 'msg_9.json'), message('msg_9', { input: 1, output: 1 }, true));
  t.is(bySource('opencode', h.scan().events).length, 1);
  t.is(files(), n + 1);
  rmSync(join(dir, 'msg_9.json'));
  t.is(bySource('opencode', h.scan().events).length, 0);
  t.is(files(), n);
});

test('files beside a skipped directory are still read: a Claude Code log appended after a rescan', (t) => {
  const { h } = skippedSession();
  const file = join(h.home, CLAUDE_LOG);
  const line = JSON.stringify({
    type: 'assistant', sessionId: '8e2d3b0f-5c2a-4d63-8b1f-3a4c0f2e7d21', requestId: 'req_new', timestamp: '2026-05-03T10:00:00.000Z', uuid: 'u-new',
    message: { id: 'msg_new', model: 'claude-sonnet-4-5', usage: { input_tokens: 5, output_tokens: 50, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } },
  });
  appendFileSync(file, `${line}\n`);
  const when = new Date(Date.now() - 3600_000);
  utimesSync(file, when, when);
  t.deepEqual(totals(bySource('claude-code', h.scan().events)), { events: 1, input_tokens: 5, output_tokens: 50, cache_read_tokens: 0, cache_write_tokens: 0 });
});

test('cursors written by an older agent (one JSON document, no `final`) send nothing again and then let the directory be skipped', (t) => {
  const h = copyHome();
  const dir = join(h.home, SESSION);
  ageDir(dir);
  h.scan();
  const path = cursorPath(h.state);
  // What an older agent wrote: one line, no directory cursors, OpenCode files only `done`.
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { dirs?: object; files: Record<string, { state?: { done?: boolean; final?: boolean } }> };
  delete saved.dirs;
  for (const c of Object.values(saved.files)) if (c.state && 'final' in c.state) delete c.state.final;
  writeFileSync(path, JSON.stringify(saved));
  t.is(h.scan().events.length, 0);
  t.is(savedDirs(h), 1);
  t.is(h.scan().events.length, 0);
});

test('the cursor file: lines not asked for are written back as they were; a damaged line only re-reads its file', (t) => {
  const dir = tempDir('tb-cursors-');
  const path = join(dir, 'cursors.json');
  const a = new Cursors(path);
  a.set('/logs/one.jsonl', { dev: 1, ino: 2, size: 30, mtimeMs: 40, offset: 30 });
  a.set('/logs/two.jsonl', { dev: 1, ino: 3, size: 50, mtimeMs: 60, offset: 45, state: { held: 'x' } });
  a.extra('codex-sessions', () => ({ s: [1, 2] }));
  a.save();
  const text = readFileSync(path, 'utf8');
  t.deepEqual(Object.keys((JSON.parse(text) as { files: object }).files).length, 2, 'still one JSON document');
  t.false(text.includes('/logs/'), 'no paths');

  const b = new Cursors(path);
  t.deepEqual(b.get('/logs/two.jsonl'), { dev: 1, ino: 3, size: 50, mtimeMs: 60, offset: 45, state: { held: 'x' } });
  b.get('/logs/one.jsonl');
  b.forgetUnseen();
  b.save();
  t.is(readFileSync(path, 'utf8'), text);

  // Damage the first file's line: that cursor is gone, the other is intact.
  const lines = text.split('\n');
  lines[1] = lines[1].replace('"offset":', '"offset"');
  writeFileSync(path, lines.join('\n'));
  const c = new Cursors(path);
  t.is(c.get('/logs/one.jsonl'), undefined);
  t.is(c.get('/logs/two.jsonl')?.offset, 45);
  t.deepEqual(c.extra('codex-sessions', () => ({})), { s: [1, 2] });
});

test('an empty cursor store round-trips', (t) => {
  const path = join(tempDir('tb-cursors-'), 'cursors.json');
  new Cursors(path).save();
  const c = new Cursors(path);
  t.is(c.get('/x'), undefined);
  c.save();
  t.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { version: 1, extra: {}, dirs: {}, files: {} });
});
