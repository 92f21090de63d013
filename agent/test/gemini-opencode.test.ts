// Gemini CLI recordings and OpenCode's message store. Expected numbers are worked out by
// hand from agent/test/fixtures/generate.py.
import test from 'ava';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBatch, type WireEvent } from '../wire.ts';
import { copyHome, totals, age } from './helpers/logs.ts';

const of = (source: string, events: WireEvent[]): WireEvent[] => events.filter((e) => e.source === source);

test('gemini: last occurrence per id, $rewindTo honoured, cached out of input, thoughts in output', (t) => {
  const h = copyHome();
  const ev = of('gemini-cli', h.scan().events);
  // g1 (last of three copies): in 18230 - 12000 cached = 6230, read 12000, out 412 + 690 thoughts = 1102
  // g2 is dropped by {"$rewindTo":"m2"}
  // g3: in 1000 - 200 = 800, read 200, out 100
  // legacy .json gL: in 300 - 100 = 200, read 100, out 30 + 20 = 50
  t.deepEqual(totals(ev), {
    events: 3,
    input_tokens: 6230 + 800 + 200, // 7230
    output_tokens: 1102 + 100 + 50, // 1252
    cache_read_tokens: 12000 + 200 + 100, // 12300
    cache_write_tokens: 0,
  });
  t.true(checkBatch({ events: ev }).ok);
  t.is(of('gemini-cli', h.scan().events).length, 0);
});

test('gemini: tool-use prompt tokens are input; an appended message is read alone', (t) => {
  const h = copyHome();
  h.scan();
  const file = join(h.home, '.gemini/tmp/5f0c1e2d9a/chats/session-2026-05-04T10-00-abcd1234.jsonl');
  appendFileSync(file, JSON.stringify({ id: 'g4', timestamp: '2026-05-04T10:05:00.000Z', type: 'gemini', model: 'gemini-2.5-flash', tokens: { input: 50, output: 5, cached: 0, thoughts: 0, tool: 7, total: 62 } }) + '\n');
  age(h.home);
  // 50 + 7 tool = 57
  t.deepEqual(totals(of('gemini-cli', h.scan().events)), { events: 1, input_tokens: 57, output_tokens: 5, cache_read_tokens: 0, cache_write_tokens: 0 });
});

test('opencode: completed assistant messages; reasoning added only when counted apart from output', (t) => {
  const h = copyHome();
  const ev = of('opencode', h.scan().events);
  // msg_1: in 12, out 380, read 15400, write 920
  // msg_3: total 170 = 100 + 50 + 20 reasoning, so reasoning was apart: out 50 + 20 = 70
  // msg_2 is the user's, msg_4 has no tokens
  t.deepEqual(totals(ev), { events: 2, input_tokens: 12 + 100, output_tokens: 380 + 70, cache_read_tokens: 15400, cache_write_tokens: 920 });
  t.is(of('opencode', h.scan().events).length, 0);
});
