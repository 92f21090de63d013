// The Claude Code collector decodes a line with its content arrays emptied. Every usage
// field must read exactly as from the whole line; Skill uses and broken lines keep the
// whole text.
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { leanLine, skippableArrayEnd } from '../collectors/lean-line.ts';
import { entryOf } from '../collectors/claude-code.ts';
import { FIXTURE_HOME } from './helpers/logs.ts';

const salt = Buffer.alloc(32, 3);
const lean = (text: string): string => {
  const b = Buffer.from(`junk\n${text}\nmore`);
  return leanLine(b, 5, 5 + Buffer.byteLength(text));
};

function line(content: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    parentUuid: 'p', isSidechain: false, cwd: '/home/ana/app', sessionId: 'sess-1', version: '2.1.190', type: 'assistant', uuid: 'u1',
    timestamp: '2026-05-04T09:12:05.904Z', requestId: 'req_1', ...extra,
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content, stop_reason: 'end_turn',
      usage: { input_tokens: 3, cache_creation_input_tokens: 40, cache_read_input_tokens: 500, cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 10 }, output_tokens: 96 } },
  });
}

test('text content is left out; every other field parses as from the whole line', (t) => {
  const text = line([{ type: 'text', text: 'a "quoted" ] } [ { \\ back\\slash \u00e9\u{1F600} "content":[1] end' }, { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls "x"', content: ['nested'] } }]);
  const out = lean(text);
  t.true(out.length < text.length);
  const whole = JSON.parse(text);
  whole.message.content = [];
  t.deepEqual(JSON.parse(out), whole);
  t.deepEqual(entryOf(out, salt), entryOf(text, salt));
});

test('a Skill use keeps the content (plain or spelled with escapes)', (t) => {
  const skill = line([{ type: 'tool_use', id: 't1', name: 'Skill', input: { skill: 'api-pagination' } }]);
  t.is(lean(skill), skill);
  t.deepEqual(entryOf(lean(skill), salt)?.event.skills, ['api-pagination']);
  const escaped = skill.replace('"Skill"', '"\\u0053kill"');
  t.is(lean(escaped), escaped);
  t.deepEqual(entryOf(lean(escaped), salt)?.event.skills, ['api-pagination']);
});

test('a progress line: the embedded record\'s content is left out too', (t) => {
  const inner = JSON.parse(line([{ type: 'text', text: 'sub agent says hi' }]));
  const text = JSON.stringify({ type: 'progress', sessionId: 'sess-1', data: { message: inner }, timestamp: '2026-05-04T09:12:06.000Z' });
  const out = lean(text);
  t.false(out.includes('sub agent says hi'));
  t.deepEqual(entryOf(out, salt), entryOf(text, salt));
});

test('broken lines are decoded whole, so JSON.parse refuses them as before', (t) => {
  const good = line([{ type: 'text', text: 'hello' }]);
  // Cut inside the content.
  const cut = good.slice(0, good.indexOf('hello') + 3);
  t.is(lean(cut), cut);
  t.is(entryOf(lean(cut), salt), null);
  // A write cut short, then the next line written after it: the brackets still balance
  // further on, but a bare word sits where a value should be.
  const runTogether = `${good.slice(0, good.indexOf('hello'))}${good}`;
  t.is(lean(runTogether), runTogether);
  t.is(entryOf(lean(runTogether), salt), null);
  // Brackets that do not nest.
  t.is(skippableArrayEnd(Buffer.from('[{]}'), 0, 4), -1);
  t.is(skippableArrayEnd(Buffer.from('[{"a":"]"}]'), 0, 11), 10);
});

test('random content: the entry is always the whole line\'s', (t) => {
  let seed = 7;
  const r = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pieces = ['"', '\\', '[', ']', '{', '}', ',', ':', 'Skill', 'skill', '\\u0053', 'content', '"content":[', '\n', '\u2028', 'é', '😀', ' ', 'null', '0'];
  const str = () => Array.from({ length: Math.floor(r() * 12) }, () => pieces[Math.floor(r() * pieces.length)]).join('');
  const value = (depth: number): unknown => {
    const k = Math.floor(r() * (depth > 3 ? 4 : 7));
    if (k === 0) return str();
    if (k === 1) return Math.floor(r() * 1e6) / 100;
    if (k === 2) return r() < 0.5 ? null : r() < 0.5;
    if (k === 3) return str();
    if (k === 4) return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(r() * 4); i > 0; i--) o[str()] = value(depth + 1);
    if (r() < 0.2) o.name = r() < 0.5 ? 'Skill' : 'Read';
    if (r() < 0.2) o.input = { skill: str() || 'x' };
    if (r() < 0.3) o.type = 'tool_use';
    return o;
  };
  let shortened = 0;
  for (let i = 0; i < 500; i++) {
    const text = line(Array.from({ length: 1 + Math.floor(r() * 3) }, () => value(0)));
    const out = lean(text);
    if (out !== text) shortened++;
    t.deepEqual(entryOf(out, salt), entryOf(text, salt), text);
  }
  t.true(shortened > 100, `only ${shortened} of 500 lines were shortened`);
});

test('every fixture transcript line gives the same entry as its whole text', (t) => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.jsonl')) files.push(p);
    }
  };
  walk(join(FIXTURE_HOME, '.claude'));
  walk(join(FIXTURE_HOME, '.config', 'claude'));
  let entries = 0;
  for (const f of files) {
    for (const text of readFileSync(f, 'utf8').split('\n').filter(Boolean)) {
      const whole = entryOf(text, salt);
      if (whole) entries++;
      t.deepEqual(entryOf(lean(text), salt), whole);
    }
  }
  t.true(entries >= 8, `${entries} usage lines in the fixtures`);
});
