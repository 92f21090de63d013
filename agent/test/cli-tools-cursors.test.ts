// Rescans of the CLI tools' logs: nothing twice, appended and rewritten usage once, a line
// or document caught half-written read once it is whole, the last message of a log still
// being written held until the log is quiet. Real files; numbers worked out by hand.
import test from 'ava';
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { age, CLI_TOOLS_HOME, copyHome, totals, bySource as of } from './helpers/logs.ts';

const LATER = () => Date.now() + 2 * 3600_000; // a clock past the settle time
const line = (o: unknown) => `${JSON.stringify(o)}\n`;

function settled() {
  const h = copyHome(CLI_TOOLS_HOME);
  h.scan();
  return h;
}

test('a second scan of unchanged logs finds nothing', (t) => {
  const h = settled();
  t.deepEqual(h.scan().events, []);
});

test('copilot-cli: a trace waits for its root agent span; then its chat spans count and the agent span does not', (t) => {
  const h = settled();
  const file = join(h.home, '.copilot/otel/live.jsonl');
  const span = (trace: string, id: string, name: string, attrs: object, parent?: string) => line({
    type: 'span', traceId: trace, spanId: id, name, endTime: [1780400000, 0], ...(parent === undefined ? {} : { parentSpanId: parent }),
    attributes: { 'gen_ai.response.model': 'claude-sonnet-4.5', 'gen_ai.conversation.id': 'conv-live', ...attrs },
  });
  const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 70, 'gen_ai.usage.output_tokens': 7 };
  const agent = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 70, 'gen_ai.usage.output_tokens': 7 };
  writeFileSync(file, span('e'.repeat(32), 'e1', 'chat claude-sonnet-4.5', chat, 'e0'));
  // The file was just written: the turn may still be going.
  t.deepEqual(of('copilot-cli', h.scan().events), []);
  appendFileSync(file, span('e'.repeat(32), 'e0', 'invoke_agent copilot', agent, ''));
  t.deepEqual(totals(of('copilot-cli', h.scan().events)), { events: 1, input_tokens: 70, output_tokens: 7, cache_read_tokens: 0, cache_write_tokens: 0 });
  // A turn with only an agent span is decided by it at once: 30 / 3.
  appendFileSync(file, span('f'.repeat(32), 'f0', 'invoke_agent copilot', { ...agent, 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 3 }, ''));
  t.deepEqual(totals(of('copilot-cli', h.scan().events)), { events: 1, input_tokens: 30, output_tokens: 3, cache_read_tokens: 0, cache_write_tokens: 0 });
  // A chat span whose turn never ends: sent once the file has been quiet.
  appendFileSync(file, span('9'.repeat(32), '91', 'chat claude-sonnet-4.5', { ...chat, 'gen_ai.usage.input_tokens': 11 }, '90'));
  t.deepEqual(of('copilot-cli', h.scan().events), []);
  t.is(of('copilot-cli', h.scan({ now: LATER() }).events).length, 1);
  t.deepEqual(h.scan({ now: LATER() }).events, []);
  // A turn quiet past the settle time with only a tool span so far (waiting on the user):
  // its chat span, written later, still counts.
  appendFileSync(file, span('8'.repeat(32), '81', 'execute_tool bash', { 'gen_ai.operation.name': 'execute_tool' }, '80'));
  t.deepEqual(h.scan({ now: LATER() }).events, []);
  appendFileSync(file, span('8'.repeat(32), '82', 'chat claude-sonnet-4.5', { ...chat, 'gen_ai.usage.input_tokens': 12 }, '80'));
  t.deepEqual(of('copilot-cli', h.scan({ now: LATER() }).events).map((e) => e.input_tokens), [12]);
});

test('pi: a half-written line is read once complete, with the model a model_change set in an earlier scan', (t) => {
  const h = settled();
  const file = join(h.home, '.pi/agent/sessions/--Users-ana-ZQX-MARKER-7731-shop--/2026-06-03T10-00-00-000Z_019a0c11-aaaa-7000-8000-00000000b001.jsonl');
  // The fixture ends with `…"usage":{"input":9`: complete it.
  appendFileSync(file, ',"output":1}},"timestamp":"2026-06-03T10:00:20.000Z"}\n');
  age(h.home);
  const ev = of('pi', h.scan().events);
  t.deepEqual(totals(ev), { events: 1, input_tokens: 9, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0 });
  t.like(ev[0], { model: 'gpt-5', provider: 'openai' });
  t.deepEqual(h.scan().events, []);
});

test('kimi-cli: the last status of a log being written waits (a repeat may follow), then counts once', (t) => {
  const h = settled();
  const file = join(h.home, '.kimi/sessions/0a1b2c3d4e5f/a0b0c0d0-2222-4000-8000-00000000d002/wire.jsonl');
  const status = line({ timestamp: 1780912900.5, message: { type: 'StatusUpdate', payload: { token_usage: { input_other: 40, output: 4, input_cache_read: 400, input_cache_creation: 0 }, message_id: 'chatcmpl-DDD' } } });
  appendFileSync(file, status);
  t.deepEqual(of('kimi-cli', h.scan().events), []);
  appendFileSync(file, status);
  t.deepEqual(of('kimi-cli', h.scan().events), []);
  t.deepEqual(totals(of('kimi-cli', h.scan({ now: LATER() }).events)), { events: 1, input_tokens: 40, output_tokens: 4, cache_read_tokens: 400, cache_write_tokens: 0 });
  t.deepEqual(h.scan({ now: LATER() }).events, []);
});

test('amp: a thread rewritten with a new message sends that message alone; a rewrite caught half-way waits; the newest message waits for quiet', (t) => {
  const h = settled();
  const file = join(h.home, '.local/share/amp/threads/T-5a1c2b3d-0000-4000-8000-0000000a0002.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  doc.messages.push({ role: 'assistant', messageId: 3, usage: { model: 'claude-haiku-4-5', inputTokens: 8, outputTokens: 80, cacheReadInputTokens: 800, timestamp: '2026-06-07T10:01:00.000Z' } });
  const text = JSON.stringify(doc);
  // Caught half-written: not a document yet, nothing read, nothing lost.
  writeFileSync(file, text.slice(0, text.length - 40));
  age(h.home);
  t.deepEqual(of('amp', h.scan().events), []);
  // Amp rewrites through a new file: a new inode; the messages sent before are known by id.
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
  // Just written: the new message is the last one and may still grow.
  t.deepEqual(of('amp', h.scan().events), []);
  t.deepEqual(totals(of('amp', h.scan({ now: LATER() }).events)), { events: 1, input_tokens: 8, output_tokens: 80, cache_read_tokens: 800, cache_write_tokens: 0 });
  t.deepEqual(h.scan({ now: LATER() }).events, []);
});

test('codebuff: a chat file rewritten in place with one more answer sends that answer alone', (t) => {
  const h = settled();
  const file = join(h.home, '.config/manicode/projects/ZQX-MARKER-7731-shop/chats/2026-06-07T10-00-00.000Z/chat-messages.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  doc.push({ id: 'cb-m5', variant: 'ai', timestamp: '2026-06-07T10:05:00.000Z', metadata: { model: 'claude-sonnet-4-5', usage: { inputTokens: 2, outputTokens: 20, cacheReadInputTokens: 2000 } } });
  writeFileSync(file, JSON.stringify(doc));
  age(h.home);
  t.deepEqual(totals(of('codebuff', h.scan().events)), { events: 1, input_tokens: 2, output_tokens: 20, cache_read_tokens: 2000, cache_write_tokens: 0 });
});

test('qwen-code: a chat file replaced by another is read again from the start; a record read before keeps its event id', (t) => {
  const h = copyHome(CLI_TOOLS_HOME);
  const before = new Map(of('qwen-code', h.scan().events).map((e) => [e.input_tokens, e.id]));
  const file = join(h.home, '.qwen/projects/-Users-ana-ZQX-MARKER-7731-shop/chats/e5d4c3b2-0000-4000-8000-00000000e002.jsonl');
  const rec = JSON.parse(readFileSync(file, 'utf8').trim());
  const extra = { ...rec, uuid: 'q-0100', timestamp: '2026-06-09T11:00:00.000Z', usageMetadata: { promptTokenCount: 90, cachedContentTokenCount: 60, candidatesTokenCount: 9, totalTokenCount: 99 } };
  // A new file under the same name (a new inode): the old record again, then a new one.
  writeFileSync(`${file}.tmp`, line(rec) + line(extra));
  renameSync(`${file}.tmp`, file);
  age(h.home);
  const ev = of('qwen-code', h.scan().events);
  // q-0001 again (6230 in) under the id it had: the server takes it as a duplicate; q-0100: 90 − 60 = 30 in, read 60, out 9
  t.deepEqual(ev.map((e) => e.input_tokens).sort((a, b) => a - b), [30, 6230]);
  t.is(ev.find((e) => e.input_tokens === 6230)!.id, before.get(6230));
  t.false(before.has(30));
});

test('grok: an appended turn counts once; the line left half-written becomes whole', (t) => {
  const h = settled();
  const file = join(h.home, '.grok/sessions/%2FUsers%2Fana%2FZQX-MARKER-7731/7e6d5c4b-0000-4000-8000-00000000f001/updates.jsonl');
  // The fixture ends with `…"usage":{"inp`: complete it (grok-4.5 from summary.json, no modelUsage).
  appendFileSync(file, 'utTokens":70,"outputTokens":7,"cachedReadTokens":50}}}}\n');
  age(h.home);
  // 70 − 50 cached = 20 in, out 7, read 50
  const ev = of('grok', h.scan().events);
  t.deepEqual(totals(ev), { events: 1, input_tokens: 20, output_tokens: 7, cache_read_tokens: 50, cache_write_tokens: 0 });
  t.is(ev[0].model, 'grok-4.5');
});
