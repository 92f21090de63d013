// Claude Code transcripts with every trap FORMATS.md §1 lists. Expected numbers are
// worked out by hand from the fixture (agent/test/fixtures/generate.py).
import test from 'ava';
import { appendFileSync, readFileSync, truncateSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { checkBatch, type WireEvent } from '../wire.ts';
import { anthropicMessageId } from '../ids.ts';
import { copyHome, totals, age } from './helpers/logs.ts';

const PROJECT = '.claude/projects/-Users-ana-ZQX-MARKER-7731-shop-api';
const SA = '7d1c2a9e-4b1f-4c52-9a0e-2f3b9e1d6c10';

function claude(events: WireEvent[]): WireEvent[] {
  return events.filter((e) => e.source === 'claude-code');
}

test('totals: one event per message, largest snapshot, replays and copies once, synthetic and bad lines skipped', (t) => {
  const h = copyHome();
  const ev = claude(h.scan().events);
  // msg_A1: in 10, out 250 (the last of 25/120/250), read 1000, write 200 (ephemeral 1h)
  // msg_A2: in 5, out 40, read 2000 (the sidechain replay with read 99999 and the resumed copy are duplicates)
  // msg_B1: in 8, out 60, read 500
  // msg_S1: in 4, out 30, read 100, write 50 (its progress-line copy is a duplicate)
  // msg_C1 (XDG root): in 1, out 2
  // no-id line: in 2, out 3
  // skipped: <synthetic> (7/7), null requestId (1000/1000), version "dev" (1000/1000), journal.jsonl (777/777), half-written line
  t.deepEqual(totals(ev), {
    events: 6,
    input_tokens: 10 + 5 + 8 + 4 + 1 + 2, // 30
    output_tokens: 250 + 40 + 60 + 30 + 2 + 3, // 385
    cache_read_tokens: 1000 + 2000 + 500 + 100, // 3600
    cache_write_tokens: 200 + 50, // 250
  });
  t.true(checkBatch({ events: ev }).ok);
  const a1 = ev.find((e) => e.id === anthropicMessageId('msg_A1'))!;
  t.deepEqual(a1.skills, ['api-pagination']);
  t.is(a1.model, 'claude-sonnet-4-5-20250929');
  t.false(ev.some((e) => e.model === '<synthetic>'));
});

test('a rescan with nothing new finds nothing; appended lines are read alone', (t) => {
  const h = copyHome();
  t.is(claude(h.scan().events).length, 6);
  t.is(claude(h.scan().events).length, 0);
  const file = join(h.home, PROJECT, `${SA}.jsonl`);
  // Complete the half-written line and add a new message.
  appendFileSync(file, ',"output_tokens":1}},"timestamp":"2026-05-04T09:20:00.000Z","sessionId":"x","version":"2.1.190"}\n');
  appendFileSync(file, JSON.stringify({ type: 'assistant', sessionId: SA, version: '2.1.190', timestamp: '2026-05-04T09:30:00.000Z', requestId: 'req_N', message: { id: 'msg_N', model: 'claude-opus-4-5', usage: { input_tokens: 11, output_tokens: 22, cache_read_input_tokens: 33, cache_creation_input_tokens: 44 } } }) + '\n');
  age(h.home);
  const ev = claude(h.scan().events);
  // the completed half line is msg_HALF: in 9, out 1; msg_N: in 11, out 22, read 33, write 44
  t.deepEqual(totals(ev), { events: 2, input_tokens: 9 + 11, output_tokens: 1 + 22, cache_read_tokens: 33, cache_write_tokens: 44 });
});

test('the last message of a log still being written is held until the log is quiet', (t) => {
  const h = copyHome();
  h.scan();
  const file = join(h.home, PROJECT, `${SA}.jsonl`);
  const line = (out: number) => JSON.stringify({ type: 'assistant', sessionId: SA, version: '2.1.190', timestamp: '2026-05-04T10:00:00.000Z', requestId: 'req_G', message: { id: 'msg_G', model: 'claude-opus-4-5', usage: { input_tokens: 1, output_tokens: out, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } }) + '\n';
  writeFileSync(file, readFileSync(file, 'utf8').replace(/\{"parentUuid":"u-x"[^\n]*$/, '') + line(25));
  // The file was just written: msg_G may still grow, so it is not sent yet.
  t.is(claude(h.scan().events).length, 0);
  appendFileSync(file, line(250));
  t.is(claude(h.scan().events).length, 0);
  // An hour later (quiet): sent once, with the final count.
  const ev = claude(h.scan({ now: Date.now() + 3600_000 }).events);
  t.is(ev.length, 1);
  t.is(ev[0].output_tokens, 250);
  t.is(claude(h.scan({ now: Date.now() + 3600_000 }).events).length, 0);
});

test('a truncated or replaced file is read again from the start', (t) => {
  const h = copyHome();
  h.scan();
  const file = join(h.home, '.config/claude/projects/-Users-ana-ZQX-MARKER-7731-web/9f3e4c1a-6d3b-4e74-9c2a-4b5d1a3f8e32.jsonl');
  const original = readFileSync(file, 'utf8');
  // Rotation: a new file (new inode) under the same name.
  const tmp = `${file}.new`;
  writeFileSync(tmp, original.replace(/msg_C1/g, 'msg_C3'));
  renameSync(tmp, file);
  age(h.home);
  const ev = claude(h.scan().events);
  t.is(ev.length, 1);
  t.is(ev[0].id, anthropicMessageId('msg_C3'));
  // Truncation (same inode, shorter than the saved offset) resets the offset too.
  truncateSync(file, 0);
  age(h.home);
  h.scan();
  appendFileSync(file, original.replace(/msg_C1/g, 'msg_C4'));
  age(h.home);
  const again = claude(h.scan().events);
  t.is(again.length, 1);
  t.is(again[0].id, anthropicMessageId('msg_C4'));
});

test('CLAUDE_CONFIG_DIR replaces the default roots (and accepts the projects dir itself)', async (t) => {
  const h = copyHome();
  const { logRootsFrom } = await import('../config.ts');
  t.deepEqual(logRootsFrom({ CLAUDE_CONFIG_DIR: '/a,/b/projects' }, h.home).claude, ['/a/projects', '/b/projects']);
  t.deepEqual(logRootsFrom({}, h.home).claude, [join(h.home, '.claude/projects'), join(h.home, '.config/claude/projects')]);
});

test('session is an HMAC of the session id, never the raw id; message ids match the proxy\'s', (t) => {
  const h = copyHome();
  const ev = claude(h.scan().events);
  for (const e of ev) {
    t.regex(e.session!, /^[0-9a-f]{32}$/);
    t.false(JSON.stringify(e).includes(SA));
  }
  t.truthy(ev.find((e) => e.id === anthropicMessageId('msg_B1')));
});

test('1-hour cache writes: the log\'s TTL split becomes cache_write_1h_tokens, only where the log has one', (t) => {
  const h = copyHome();
  const file = join(h.home, PROJECT, 'ab1h0000-0000-4000-8000-000000000001.jsonl');
  const msg = (id: string, usage: Record<string, unknown>) => JSON.stringify({ type: 'assistant', sessionId: 'sess-1h', version: '2.1.190', timestamp: '2026-05-06T10:00:00.000Z', requestId: `req_${id}`, message: { id, model: 'claude-opus-4-5', content: [{ type: 'text', text: 'ok' }], usage } }) + '\n';
  writeFileSync(file, msg('msg_M1', { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 1000, cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 700 } })
    + msg('msg_M2', { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 400 }));
  age(h.home);
  const ev = claude(h.scan().events);
  const by = (id: string) => ev.find((e) => e.id === anthropicMessageId(id))!;
  // msg_M1: 300 (5 min) + 700 (1 h) = 1000 written, 700 of them for an hour.
  t.like(by('msg_M1'), { cache_write_tokens: 300 + 700, cache_write_1h_tokens: 700 });
  // msg_M2 and the older progress-line record msg_S1 have no TTL split: no field.
  t.false('cache_write_1h_tokens' in by('msg_M2'));
  t.false('cache_write_1h_tokens' in by('msg_S1'));
  // msg_A1 wrote its 200 cache tokens for an hour; msg_B1's split says 0 of 0.
  t.is(by('msg_A1').cache_write_1h_tokens, 200);
  t.is(by('msg_B1').cache_write_1h_tokens, 0);
  t.true(checkBatch({ events: ev }).ok);
});
