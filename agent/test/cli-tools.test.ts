// The CLI-tool collectors on their fixture logs (agent/test/fixtures/cli-tools/generate.py):
// every trap there, the totals worked out by hand from the fixture's numbers.
import test from 'ava';
import { checkBatch, type WireEvent } from '../wire.ts';
import { CLI_TOOLS_HOME, copyHome, totals, bySource as of } from './helpers/logs.ts';

const first = (() => {
  let events: WireEvent[] | null = null;
  return () => (events ??= copyHome(CLI_TOOLS_HOME).scan().events);
})();

test('copilot-cli: chat spans count, the agent span and log records repeating them do not; cache out of input; an aggregate over the limit is split', (t) => {
  const ev = of('copilot-cli', first());
  // trace A: chat 1: in 1200 − read 1000 − write 100 = 100, out 80 (30 reasoning inside), read 1000, write 100
  //          chat 2: in 500 − 400 = 100, out 50, read 400
  //          (its inference log, agent-turn log and invoke_agent span repeat these: not counted;
  //          chat 1 exported again into a second file: same ids, once)
  // trace B: agent spans only: the root's 2,500,000 − 2,000,000 read = 500,000 in, out 1000, read 2,000,000
  //          (the nested subagent span is inside it: not counted) = 2,501,000 tokens > 2,000,000,
  //          so two events of 250,000 / 500 / 1,000,000 each
  // trace C: a chat span whose agent span never came: in 300, out 20, sent once the file is quiet
  // the half-written last line: nothing
  t.deepEqual(totals(ev), {
    events: 2 + 2 + 1,
    input_tokens: 100 + 100 + 500_000 + 300, // 500,500
    output_tokens: 80 + 50 + 1000 + 20, // 1150
    cache_read_tokens: 1000 + 400 + 2_000_000, // 2,001,400
    cache_write_tokens: 100,
  });
  t.true(checkBatch({ events: ev }).ok);
  t.true(ev.every((e) => e.input_tokens + e.output_tokens + e.cache_read_tokens + e.cache_write_tokens <= 2_000_000));
  const split = ev.filter((e) => e.model === 'gpt-5.2' && e.cache_read_tokens === 1_000_000);
  t.deepEqual(split.map((e) => e.id!.slice(-2)).sort(), [':1', ':2']);
  t.deepEqual([...new Set(ev.map((e) => e.provider))].sort(), ['anthropic', 'openai']);
  t.is(new Set(ev.map((e) => e.session)).size, 1, 'one conversation');
});

test('amp: one event per assistant message whichever path holds its usage, never both', (t) => {
  const ev = of('amp', first());
  // thread 1 (ledger + messages): message 1: ledger in 10, out 200 + the message's read 4000, write 300;
  //   message 3: ledger 5 / 50 + read 4500; message 5 (missing from the ledger): its own 7 / 70 / read 100;
  //   ledger evt-3 naming no message: 40 / 4
  // thread 2 (messages only): 1000 / 100 and 20 / 30 / read 500
  t.deepEqual(totals(ev), {
    events: 4 + 2,
    input_tokens: 10 + 5 + 7 + 40 + 1000 + 20, // 1082
    output_tokens: 200 + 50 + 70 + 4 + 100 + 30, // 454
    cache_read_tokens: 4000 + 4500 + 100 + 500, // 9100
    cache_write_tokens: 300,
  });
  t.true(checkBatch({ events: ev }).ok);
  t.is(new Set(ev.map((e) => e.session)).size, 2);
});

test('pi: a forked session repeats earlier entries once; the model of a model_change entry; failed requests make no event', (t) => {
  const ev = of('pi', first());
  // a1b2c3d4: 12 / 340 / read 5000 / write 600 (also copied into the fork: once)
  // a2b2c3d4 (model from the model_change: gpt-5): 800 / 120 / read 200
  // a3b2c3d4: an error with zero usage: nothing; the fork's own b1b2c3d4: 3 / 30
  t.deepEqual(totals(ev), { events: 3, input_tokens: 12 + 800 + 3, output_tokens: 340 + 120 + 30, cache_read_tokens: 5000 + 200, cache_write_tokens: 600 });
  t.true(checkBatch({ events: ev }).ok);
  t.like(ev.find((e) => e.input_tokens === 800), { model: 'gpt-5', provider: 'openai' });
  t.is(new Set(ev.map((e) => e.session)).size, 2, 'the fork is its own session');
});

test('openclaw: rotated transcripts read, entries met again counted once, the model from model_change and model-snapshot, the old directory name', (t) => {
  const ev = of('openclaw', first());
  // session file: 0c1a0001 (gpt-5.2 from model_change): 1860 / 95 / read 109,928 / write 500;
  //   0c1a0002 (claude-opus-4-5 from the snapshot): 10 / 20
  // .jsonl.reset.<time>: 0c1a0000: 100 / 10, and a copy of 0c1a0001 (once)
  // .clawdbot: 5 / 5
  t.deepEqual(totals(ev), { events: 4, input_tokens: 1860 + 10 + 100 + 5, output_tokens: 95 + 20 + 10 + 5, cache_read_tokens: 109_928, cache_write_tokens: 500 });
  t.true(checkBatch({ events: ev }).ok);
  t.deepEqual(ev.map((e) => e.model).sort(), ['claude-opus-4-5', 'claude-sonnet-4-5', 'gpt-5.2', 'gpt-5.2']);
});

test('kimi-cli: per-step StatusUpdate counts, a repeated status and a copied session counted once, the configured model', (t) => {
  const ev = of('kimi-cli', first());
  // chatcmpl-qZQT…: 1244 / 155 / read 69,376 (shown twice, and again in the copied session: once)
  // chatcmpl-BBB…: 300 / 40 / read 70,000 / write 1200; chatcmpl-CCC…: 10 / 5
  t.deepEqual(totals(ev), { events: 3, input_tokens: 1244 + 300 + 10, output_tokens: 155 + 40 + 5, cache_read_tokens: 69_376 + 70_000, cache_write_tokens: 1200 });
  t.true(checkBatch({ events: ev }).ok);
  t.true(ev.every((e) => e.model === 'kimi-k2-turbo-preview' && e.provider === 'moonshot'));
});

test('qwen-code: cached tokens out of promptTokenCount, thoughts in output, telemetry records and copies not counted', (t) => {
  const ev = of('qwen-code', first());
  // q-0001: prompt 18,230 − 12,000 cached = 6230 in, read 12,000, out 412 + 690 thoughts = 1102
  //   (its ui_telemetry twin and its copy in the second chat file: nothing more)
  // q-0004: 500 / 50
  t.deepEqual(totals(ev), { events: 2, input_tokens: 6230 + 500, output_tokens: 1102 + 50, cache_read_tokens: 12_000, cache_write_tokens: 0 });
  t.true(checkBatch({ events: ev }).ok);
});

test('codebuff: the three places usage is kept, OpenAI-shaped prompt counts uncached, a chat copied to another channel once', (t) => {
  const ev = of('codebuff', first());
  // cb-m1 (metadata.usage): 1000 / 400 / read 200 / write 50 (also in manicode-dev: once)
  // cb-m2 (metadata.codebuff.usage, OpenAI-shaped): prompt 750 − 250 cached = 500, out 120, read 250
  // cb-m3 (runState history): 300 / 30; cb-m4 has no usage
  t.deepEqual(totals(ev), { events: 3, input_tokens: 1000 + 500 + 300, output_tokens: 400 + 120 + 30, cache_read_tokens: 200 + 250, cache_write_tokens: 50 });
  t.true(checkBatch({ events: ev }).ok);
  t.deepEqual(ev.map((e) => e.provider).sort(), ['anthropic', 'google', 'openai']);
});

test('grok: one event per turn and model, cached out of input, reasoning added only where the total shows it apart', (t) => {
  const ev = of('grok', first());
  // evt-g1 (written twice: once) grok-4.5: total 130 = 100 + 20 + 10 → reasoning apart: in 100 − 40 = 60, out 20 + 10 = 30, read 40
  // evt-g2 grok-4.5: total 2300 = 2000 + 300 → reasoning inside: in 2000 − 1500 = 500, out 300, read 1500
  //        grok-code-fast-1: 50 / 5
  // evt-g3 (zero counts) and the tool update's running counter: nothing
  t.deepEqual(totals(ev), { events: 3, input_tokens: 60 + 500 + 50, output_tokens: 30 + 300 + 5, cache_read_tokens: 40 + 1500, cache_write_tokens: 0 });
  t.true(checkBatch({ events: ev }).ok);
  t.true(ev.every((e) => e.provider === 'xai'));
});

test('a fresh install derives the same event ids: the server counts a re-sent history once', (t) => {
  const ids = () => copyHome(CLI_TOOLS_HOME).scan().events.map((e) => e.id!).sort();
  t.deepEqual(ids(), ids());
});
