// Codex rollouts: cumulative totals, repeated snapshots, archived copies, forks.
// Expected numbers are worked out by hand from agent/test/fixtures/generate.py.
import test from 'ava';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBatch, type WireEvent } from '../wire.ts';
import { copyHome, totals, age } from './helpers/logs.ts';

const X = '019e1a2b-3c4d-7e5f-8a9b-0c1d2e3f4a5b';
const codexOf = (events: WireEvent[]): WireEvent[] => events.filter((e) => e.source === 'codex');

test('only increases of the session total count; cached input leaves input', (t) => {
  const h = copyHome();
  const ev = codexOf(h.scan().events);
  // session X, snapshot 1: in 3500 (cached 750), out 425  -> input 2750, read 750, out 425
  // repeated snapshot, info:null, the stale regression (5000 < 6000), the archived copies: nothing
  // snapshot 2: totals 6000/2750/700 minus 3500/750/425 -> in 2500 (cached 2000), out 275 -> input 500, read 2000
  // fork Y: the replayed burst (same second) is the baseline 6000/2750/700;
  //   then 7000/3000/800 -> in 1000 (cached 250), out 100 -> input 750, read 250
  t.deepEqual(totals(ev), {
    events: 3,
    input_tokens: 2750 + 500 + 750, // 4000
    output_tokens: 425 + 275 + 100, // 800
    cache_read_tokens: 750 + 2000 + 250, // 3000
    cache_write_tokens: 0,
  });
  t.true(checkBatch({ events: ev }).ok);
  // The model comes from the turn_context in force.
  const byTs = [...ev].sort((a, b) => a.ts - b.ts);
  t.deepEqual(byTs.map((e) => e.model), ['gpt-5.2-codex', 'gpt-5.2', 'gpt-5.2']);
  t.true(ev.every((e) => e.provider === 'openai'));
  t.false(JSON.stringify(ev).includes(X));
});

test('re-reading and appending: nothing twice, new usage once', (t) => {
  const h = copyHome();
  h.scan();
  t.is(codexOf(h.scan().events).length, 0);
  const file = join(h.home, `.codex/sessions/2026/05/13/rollout-2026-05-13T09-00-00-${X}.jsonl`);
  const tc = (i: number, c: number, o: number) => JSON.stringify({ timestamp: '2026-05-13T09:10:00.000Z', type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { input_tokens: i, cached_input_tokens: c, output_tokens: o, reasoning_output_tokens: 0, total_tokens: i + o } } } }) + '\n';
  // 6500/2750/750 after 6000/2750/700: in +500 (no new cache), out +50
  appendFileSync(file, tc(6500, 2750, 750) + tc(6500, 2750, 750));
  age(h.home);
  const ev = codexOf(h.scan().events);
  t.deepEqual(totals(ev), { events: 1, input_tokens: 500, output_tokens: 50, cache_read_tokens: 0, cache_write_tokens: 0 });
});

test('a fresh install (no cursors) derives the same event ids, so the server counts once', (t) => {
  const a = copyHome();
  const b = copyHome();
  const ids = (h: typeof a) => codexOf(h.scan().events).map((e) => e.id!).sort();
  t.deepEqual(ids(a), ids(b));
});
