// The outbox and the sender against a stand-in ingest endpoint that checks signatures
// with agent/wire.ts: batching limits, every answer's meaning, durability across kill -9.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_BODY_BYTES, MAX_EVENTS } from '../wire.ts';
import { Outbox } from '../outbox.ts';
import { backoffMs, BACKOFF_MAX_MS, Flusher } from '../flusher.ts';
import { fakeIngest } from './helpers/fake-ingest.ts';
import { ev } from './helpers/events.ts';
import { tempDir } from './helpers/tmp.ts';

const TOKEN = 'tok-test-secret';
const stateDir = () => tempDir('tb-outbox-');

test('batches hold at most 500 events', (t) => {
  const o = new Outbox(stateDir());
  o.append(Array.from({ length: 1200 }, () => ev()));
  o.seal();
  const sizes: number[] = [];
  for (let b = o.nextBatch(); b; b = o.nextBatch()) {
    sizes.push(b.events.length);
    t.deepEqual(JSON.parse(b.body), { events: b.events });
    o.ack(b);
  }
  t.deepEqual(sizes, [MAX_EVENTS, MAX_EVENTS, 200]);
  t.is(o.pending().total, 0);
});

test('batches hold at most 512 KB', (t) => {
  const o = new Outbox(stateDir());
  // Each event carries 32 skills of 64 characters: about 2.3 KB, so 500 would be over 1 MB.
  const skills = Array.from({ length: 32 }, (_, i) => `${i}`.padEnd(64, 's'));
  o.append(Array.from({ length: 600 }, () => ev({ skills })));
  o.seal();
  let total = 0;
  for (let b = o.nextBatch(); b; b = o.nextBatch()) {
    t.true(Buffer.byteLength(b.body) <= MAX_BODY_BYTES, `${Buffer.byteLength(b.body)} bytes`);
    t.true(b.events.length < MAX_EVENTS);
    total += b.events.length;
    o.ack(b);
  }
  t.is(total, 600);
});

test('a torn line (write cut by a crash) is set aside, the rest is sent', (t) => {
  const dir = stateDir();
  const o = new Outbox(dir);
  const good = [ev(), ev()];
  writeFileSync(join(o.dir, 'q', '00000000000001-1-aa.jsonl'), `${JSON.stringify(good[0])}\n{"ts":1,"prov\n${JSON.stringify(good[1])}\n`);
  const b = o.nextBatch()!;
  t.deepEqual(b.events.map((e) => e.id), good.map((e) => e.id));
  o.ack(b);
  t.is(o.rejected().length, 1);
  t.is(o.nextBatch(), null);
});

test('5xx and network errors keep everything and back off; then all is delivered once', async (t) => {
  const f = await fakeIngest(7, TOKEN);
  const dir = stateDir();
  const o = new Outbox(dir);
  const events = Array.from({ length: 700 }, () => ev());
  o.append(events);
  let now = 1_000_000;
  const fl = new Flusher(o, dir, { server: f.url, user: 7, token: TOKEN }, { now: () => now, random: () => 0.5 });
  try {
    f.script.push({ status: 503, body: { error: 'maintenance' } });
    t.is(await fl.flush(), 'retry');
    t.is(o.pending().total, 700);
    t.is(fl.state().last_error?.status, 503);
    // Inside the backoff window nothing is tried.
    t.is(await fl.flush(), 'waiting');
    t.is(f.requests, 1);
    now += BACKOFF_MAX_MS;
    f.script.push({ status: 429, body: { error: 'slow' }, headers: { 'retry-after': '120' } });
    t.is(await fl.flush(), 'retry');
    // Retry-After (120 s) is longer than the second backoff step.
    t.true(fl.retryAt() >= now + 120_000);
    now += 121_000;
    t.is(await fl.flush(), 'empty');
    t.is(f.badSignatures, 0);
    const got = f.stored.flat().map((e) => e.id).sort();
    t.deepEqual(got, events.map((e) => e.id!).sort());
    t.is(fl.state().delivered, 700);
    t.deepEqual(fl.state().sent_by_source, { proxy: 700 });
  } finally {
    await f.close();
  }
});

test('an unreachable server is a retry, not a loss', async (t) => {
  const dir = stateDir();
  const o = new Outbox(dir);
  o.append([ev()]);
  const fl = new Flusher(o, dir, { server: 'http://127.0.0.1:9', user: 7, token: TOKEN });
  t.is(await fl.flush(), 'retry');
  t.is(o.pending().total, 1);
  t.truthy(fl.state().last_error?.error);
});

test('401 stops sending and keeps everything until the login changes', async (t) => {
  const f = await fakeIngest(7, TOKEN);
  const dir = stateDir();
  const o = new Outbox(dir);
  o.append([ev(), ev()]);
  try {
    const wrong = new Flusher(o, dir, { server: f.url, user: 7, token: 'revoked' });
    t.is(await wrong.flush(), 'blocked');
    t.is(await wrong.flush(), 'blocked');
    t.is(f.requests, 1); // the second flush did not even try
    t.is(o.pending().total, 2);
    t.regex(wrong.state().blocked!.error, /signature/);
    const right = new Flusher(o, dir, { server: f.url, user: 7, token: TOKEN });
    t.is(await right.flush(), 'empty');
    t.is(f.stored.flat().length, 2);
  } finally {
    await f.close();
  }
});

test('409 (already received) counts as delivered', async (t) => {
  const f = await fakeIngest(7, TOKEN);
  const dir = stateDir();
  const o = new Outbox(dir);
  o.append([ev()]);
  try {
    f.script.push({ status: 409, body: { error: 'replay' } });
    t.is(await new Flusher(o, dir, { server: f.url, user: 7, token: TOKEN }).flush(), 'empty');
    t.is(o.pending().total, 0);
    t.is(o.rejected().length, 0);
  } finally {
    await f.close();
  }
});

test('400 naming one event sets that event aside; the others are delivered', async (t) => {
  const f = await fakeIngest(7, TOKEN);
  const dir = stateDir();
  const o = new Outbox(dir);
  const events = [ev(), ev(), ev()];
  o.append(events);
  try {
    f.script.push({ status: 400, body: { error: 'events[1].source: "otlp" is reserved for the server\'s own imports' } });
    t.is(await new Flusher(o, dir, { server: f.url, user: 7, token: TOKEN }).flush(), 'empty');
    t.deepEqual(f.stored.flat().map((e) => e.id), [events[0].id!, events[2].id!]);
    const rejected = o.rejected();
    t.is(rejected.length, 1);
    t.is((rejected[0].event as { id: string }).id, events[1].id!);
    t.is(rejected[0].status, 400);
  } finally {
    await f.close();
  }
});

test('400 naming no event sets the batch aside (never retried forever)', async (t) => {
  const f = await fakeIngest(7, TOKEN);
  const dir = stateDir();
  const o = new Outbox(dir);
  o.append([ev(), ev()]);
  try {
    f.script.push({ status: 400, body: { error: 'body: not valid JSON' } });
    const fl = new Flusher(o, dir, { server: f.url, user: 7, token: TOKEN });
    t.is(await fl.flush(), 'empty');
    t.is(o.rejected().length, 2);
    t.is(o.pending().total, 0);
    t.is(f.stored.length, 0);
  } finally {
    await f.close();
  }
});

test('413 splits the batch; a single refused event is set aside', async (t) => {
  const f = await fakeIngest(7, TOKEN);
  const dir = stateDir();
  const o = new Outbox(dir);
  o.append([ev(), ev(), ev(), ev()]);
  try {
    f.script.push({ status: 413, body: { error: 'events: too many' } });
    t.is(await new Flusher(o, dir, { server: f.url, user: 7, token: TOKEN }).flush(), 'empty');
    t.deepEqual(f.stored.map((b) => b.length), [2, 2]);
    o.append([ev()]);
    f.script.push({ status: 413, body: { error: 'body too large' } });
    t.is(await new Flusher(o, dir, { server: f.url, user: 7, token: TOKEN }).flush(), 'empty');
    t.is(o.rejected().length, 1);
  } finally {
    await f.close();
  }
});

test('backoff grows exponentially with jitter, capped', (t) => {
  t.is(backoffMs(0, () => 0), 500);
  t.is(backoffMs(0, () => 1), 1000);
  t.is(backoffMs(3, () => 0), 4000);
  t.is(backoffMs(3, () => 1), 8000);
  t.is(backoffMs(40, () => 1), BACKOFF_MAX_MS);
  t.is(backoffMs(40, () => 0), BACKOFF_MAX_MS / 2);
});

test('events appended by a process killed with -9 are delivered', async (t) => {
  const f = await fakeIngest(7, TOKEN);
  const dir = stateDir();
  try {
    const out = (() => {
      try {
        return execFileSync(process.execPath, ['--import=tsx', join(import.meta.dirname, 'helpers/child-append.ts'), dir, '25'], { encoding: 'utf8' });
      } catch (err) {
        return (err as { stdout: string }).stdout; // killed by its own SIGKILL
      }
    })();
    t.is(out.trim(), 'appended');
    const o = new Outbox(dir);
    // Its segment was never sealed...
    t.true(readdirSync(join(o.dir, 'q')).some((n) => n.endsWith('.open')));
    // ...and is taken over once its process is gone.
    t.is(await new Flusher(o, dir, { server: f.url, user: 7, token: TOKEN }).flush(), 'empty');
    t.is(f.stored.flat().length, 25);
  } finally {
    await f.close();
  }
});

test('a large append is cut into segments of about 1 MB, so no batch reads a whole backlog', (t) => {
  const o = new Outbox(stateDir());
  const events = Array.from({ length: 12_000 }, () => ev());
  o.append(events);
  o.seal();
  const q = join(o.dir, 'q');
  const sizes = readdirSync(q).map((n) => statSync(join(q, n)).size);
  // 12,000 events of about 300 bytes: several segments, none much over 1 MB (the last line may cross it).
  t.true(sizes.length >= 3, `${sizes.length} segments`);
  t.true(sizes.every((s) => s <= 1024 * 1024 + 1024), sizes.join(', '));
  const got: string[] = [];
  for (let b = o.nextBatch(); b; b = o.nextBatch()) {
    got.push(...b.events.map((e) => e.id!));
    o.ack(b);
  }
  t.deepEqual(got, events.map((e) => e.id!));
});

test('a batch read ahead follows the one in flight; a torn line between them is set aside once', (t) => {
  const o = new Outbox(stateDir());
  const events = Array.from({ length: 700 }, () => ev());
  const lines = events.map((e) => JSON.stringify(e));
  // A torn line after the 600th event, in a second segment.
  writeFileSync(join(o.dir, 'q', '00000000000001-1-aa.jsonl'), `${lines.slice(0, 400).join('\n')}\n`);
  writeFileSync(join(o.dir, 'q', '00000000000002-1-bb.jsonl'), `${lines.slice(400, 600).join('\n')}\n{"ts":1,"prov\n${lines.slice(600).join('\n')}\n`);
  const first = o.nextBatch()!;
  const second = o.nextBatch(MAX_EVENTS, first)!;
  // 500 events, then the next 200 (the torn line is no event)
  t.is(first.events.length, 500);
  t.deepEqual([...first.events, ...second.events].map((e) => e.id), events.map((e) => e.id));
  t.is(o.nextBatch(MAX_EVENTS, second), null);
  o.ack(first, { save: false });
  o.ack(second, { save: false });
  o.saveProgress();
  t.is(new Outbox(o.dir.replace(/\/outbox$/, '')).pending().total, 0);
  t.is(o.rejected().length, 1);
});

test('a long drain delivers every event once, each batch in queue order, and leaves its progress and counts on disk', async (t) => {
  const f = await fakeIngest(7, TOKEN);
  const dir = stateDir();
  const o = new Outbox(dir);
  const events = Array.from({ length: 2600 }, (_, i) => ev({ source: i % 2 ? 'claude-code' : 'proxy' }));
  o.append(events);
  try {
    const sent: number[] = [];
    const fl = new Flusher(o, dir, { server: f.url, user: 7, token: TOKEN }, { onProgress: (n) => sent.push(n) });
    t.is(await fl.flush(), 'empty');
    // 2600 = 5 batches of 500 and one of 100
    // Two batches may be on the wire at once, so the server may take them in either order;
    // each is a run of the queue in order.
    const batches = [...f.stored].sort((a, b) => events.findIndex((e) => e.id === a[0].id) - events.findIndex((e) => e.id === b[0].id));
    t.deepEqual(batches.map((b) => b.length), [500, 500, 500, 500, 500, 100]);
    t.deepEqual(batches.flat().map((e) => e.id), events.map((e) => e.id));
    t.deepEqual(sent, [500, 1000, 1500, 2000, 2500, 2600]);
    // A fresh look at the state dir (another process): nothing left, every delivery counted.
    t.is(new Outbox(dir).pending().total, 0);
    t.is(fl.state().delivered, 2600);
    t.deepEqual(fl.state().sent_by_source, { proxy: 1300, 'claude-code': 1300 });
  } finally {
    await f.close();
  }
});

test('a drain keeps at most two batches on the wire, one until the first is stored; a failure with the next in flight loses nothing', async (t) => {
  const dir = stateDir();
  const o = new Outbox(dir);
  const events = Array.from({ length: 2000 }, () => ev());
  o.append(events);
  // A server whose every answer the test gives by hand.
  type Call = { ids: string[]; answer(status: number): void };
  const calls: Call[] = [];
  let waiter: { n: number; ok: () => void } | null = null;
  const fetchImpl = (_url: string, init: { body: string }) => new Promise<{ status: number; headers: { get(): null }; text(): Promise<string> }>((resolve) => {
    const ids = (JSON.parse(init.body) as { events: { id: string }[] }).events.map((e) => e.id);
    calls.push({ ids, answer: (status) => resolve({ status, headers: { get: () => null }, text: async () => JSON.stringify(status === 200 ? { accepted: ids.length, duplicates: 0 } : { error: 'busy' }) }) });
    if (waiter && calls.length >= waiter.n) waiter.ok();
  });
  const posted = (n: number) => new Promise<void>((ok) => { if (calls.length >= n) ok(); else waiter = { n, ok }; });
  const turns = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };
  let now = 1_000_000;
  const fl = new Flusher(o, dir, { server: 'http://127.0.0.1:1', user: 7, token: TOKEN }, { fetchImpl, now: () => now, random: () => 0.5 });
  const first = fl.flush();
  await posted(1);
  await turns();
  t.is(calls.length, 1, 'one batch until the first is stored');
  calls[0].answer(200);
  await posted(3);
  await turns();
  t.is(calls.length, 3, 'then two on the wire, never more');
  t.deepEqual([...calls[1].ids, ...calls[2].ids], events.slice(500, 1500).map((e) => e.id));
  // The older of the two fails while the newer one is still on the wire: the drain waits
  // for it, and keeps both batches queued (progress is acknowledged in order).
  calls[1].answer(503);
  await turns();
  calls[2].answer(200);
  t.is(await first, 'retry');
  t.is(o.pending().total, 1500);
  now += BACKOFF_MAX_MS;
  const second = fl.flush();
  await posted(4);
  await turns();
  t.is(calls.length, 4, 'after a failure, one batch at a time again');
  t.deepEqual(calls[3].ids, events.slice(500, 1000).map((e) => e.id));
  calls[3].answer(200);
  await posted(6);
  calls[4].answer(200);
  calls[5].answer(200);
  t.is(await second, 'empty');
  t.is(o.pending().total, 0);
  // Every event was stored at least once; the one batch stored twice is counted once by its ids.
  const delivered = new Set(calls.filter((_, i) => i !== 1).flatMap((c) => c.ids));
  t.deepEqual([...delivered].sort(), events.map((e) => e.id!).sort());
  t.is(fl.state().delivered, 2000, 'the sender counts what it acknowledged, each event once');
});
