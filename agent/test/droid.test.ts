// Factory Droid: one running total per session in <id>.settings.json, rewritten whole.
// Fixtures: agent/test/fixtures/running-totals/.factory; expected numbers worked out by hand.
import test from 'ava';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBatch, type WireEvent } from '../wire.ts';
import { droidModel, droidRoots } from '../collectors/droid.ts';
import { age, copyHome, totals } from './helpers/logs.ts';

import { TOTALS_HOME } from './helpers/totals-home.ts';
const D1 = 'd1a2b3c4-1111-4222-8333-444455556666';
const PROJECT = '.factory/sessions/-home-dev-ZQX-MARKER-7731-shop';
const droidOf = (events: WireEvent[]): WireEvent[] => events.filter((e) => e.source === 'droid');

const settings = (usage: object, more: object = {}) => JSON.stringify({ model: 'custom:Claude-Sonnet-4.5-[Anthropic]', providerLock: 'anthropic', providerLockTimestamp: '2026-05-20T10:00:00.000Z', tokenUsage: usage, ...more });

test('droid: each session once (the archived copy holds an older total), thinking in output, the model from the transcript when the settings have none', (t) => {
  const h = copyHome(TOTALS_HOME);
  const ev = droidOf(h.scan().events);
  // D1: in 1200, out 300 + 50 thinking = 350, read 5000, write 400 (the archive's 800/100/2000/400 is older)
  // D2: in 100, out 20, totalTokens 150: the 30 not explained by the parts are output: 50
  t.deepEqual(totals(ev), { events: 2, input_tokens: 1200 + 100, output_tokens: 350 + 50, cache_read_tokens: 5000, cache_write_tokens: 400 });
  t.true(checkBatch({ events: ev }).ok);
  const byModel = Object.fromEntries(ev.map((e) => [e.model, e]));
  t.like(byModel['claude-sonnet-4-5'], { provider: 'anthropic', input_tokens: 1200 });
  t.like(byModel['gpt-5-1'], { provider: 'openai', output_tokens: 50 });
  // The time of the total is when it was written (the file's mtime), not when the provider was chosen.
  t.is(byModel['claude-sonnet-4-5'].ts, Math.floor(statSync(join(h.home, PROJECT, `${D1}.settings.json`)).mtimeMs));
  t.not(byModel['claude-sonnet-4-5'].session, byModel['gpt-5-1'].session);
  t.deepEqual(droidOf(h.scan().events), [], 'nothing new');
});

test('droid: a growing total gives its increase, a huge one several events, a reset nothing, a half-written file waits', (t) => {
  const h = copyHome(TOTALS_HOME);
  h.scan();
  const file = join(h.home, PROJECT, `${D1}.settings.json`);
  const write = (text: string) => {
    writeFileSync(file, text);
    age(h.home, 3600_000);
  };
  // 1500/380+50/6000/400 after 1200/300+50/5000/400: in +300, out +80, read +1000
  write(settings({ inputTokens: 1500, outputTokens: 380, cacheCreationTokens: 400, cacheReadTokens: 6000, thinkingTokens: 50 }));
  t.deepEqual(totals(droidOf(h.scan().events)), { events: 1, input_tokens: 300, output_tokens: 80, cache_read_tokens: 1000, cache_write_tokens: 0 });
  // Caught half-written: nothing now, and nothing lost.
  write(settings({ inputTokens: 1600, outputTokens: 400, cacheCreationTokens: 400, cacheReadTokens: 6000, thinkingTokens: 50 }).slice(0, 60));
  t.deepEqual(droidOf(h.scan().events), []);
  // +3,000,000 read: over the 2,000,000 limit, so ceil(3,000,100 / 1,999,995) = 2 pieces;
  // in +100: 50 + 50, out +20: 10 + 10, read +3,000,000: 1,500,000 + 1,500,000
  write(settings({ inputTokens: 1600, outputTokens: 400, cacheCreationTokens: 400, cacheReadTokens: 3_006_000, thinkingTokens: 50 }));
  const jump = droidOf(h.scan().events);
  t.deepEqual(jump.map((e) => [e.input_tokens, e.output_tokens, e.cache_read_tokens]), [[50, 10, 1_500_000], [50, 10, 1_500_000]]);
  t.true(checkBatch({ events: jump }).ok);
  // Droid rewrote the session with lower counts (a restored copy): nothing is sent again.
  write(settings({ inputTokens: 10, outputTokens: 1, cacheCreationTokens: 0, cacheReadTokens: 0 }));
  t.deepEqual(droidOf(h.scan().events), []);
  // Above the highest total again: in 1700 - 1600 = 100, out 451 - 450 = 1 (the thinking counts went to 0 here: out is 451)
  write(settings({ inputTokens: 1700, outputTokens: 451, cacheCreationTokens: 400, cacheReadTokens: 3_006_000 }));
  t.deepEqual(totals(droidOf(h.scan().events)), { events: 1, input_tokens: 100, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0 });
});

test('droid: a new session file appears in a new project folder; a fresh install gives the same ids', (t) => {
  const a = copyHome(TOTALS_HOME);
  const b = copyHome(TOTALS_HOME);
  const ids = (h: typeof a) => droidOf(h.scan().events).map((e) => e.id).sort();
  t.deepEqual(ids(a), ids(b));
  mkdirSync(join(a.home, '.factory/sessions/-home-dev-other'), { recursive: true });
  writeFileSync(join(a.home, '.factory/sessions/-home-dev-other/d3.settings.json'), JSON.stringify({ model: 'gpt-5', tokenUsage: { inputTokens: 7, outputTokens: 3 } }));
  age(a.home);
  t.deepEqual(totals(droidOf(a.scan().events)), { events: 1, input_tokens: 7, output_tokens: 3, cache_read_tokens: 0, cache_write_tokens: 0 });
});

test('droid: locations and model labels', (t) => {
  t.deepEqual(droidRoots({}, '/h'), [join('/h', '.factory', 'sessions')]);
  t.deepEqual(droidRoots({ DROID_SESSIONS_DIR: '/a, /b' }, '/h'), ['/a', '/b']);
  t.is(droidModel('custom:Claude-Opus-4.5-Thinking-[Anthropic]-0'), 'claude-opus-4-5-thinking-0');
  t.is(droidModel('Claude-Sonnet-4-[Anthropic]'), 'claude-sonnet-4');
  t.is(droidModel('gemini-2.5-pro'), 'gemini-2-5-pro');
});
