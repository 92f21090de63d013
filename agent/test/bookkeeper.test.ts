// The bookkeeping thread: events handed over by the proxy's thread are queued in the
// outbox; after a scan that read a backlog it makes way for a fresh thread; if it dies,
// the caller's thread takes over. Nothing is lost or queued twice in any of these.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RENEW_AFTER_EVENTS, startBookkeeper } from '../bookkeeper.ts';
import { loadConfig } from '../config.ts';
import { Outbox } from '../outbox.ts';
import { age } from './helpers/logs.ts';
import { ev } from './helpers/events.ts';
import { tempDir } from './helpers/tmp.ts';
import { waitFor } from './helpers/upstream.ts';

function config() {
  const home = tempDir('tb-keeper-');
  return { home, cfg: loadConfig({ HOME: home, TOKENBOARD_STATE_DIR: join(home, 'state') }) };
}

/** Every queued event's id, draining the outbox. */
function queuedIds(stateDir: string): string[] {
  const o = new Outbox(stateDir);
  const ids: string[] = [];
  for (let b = o.nextBatch(); b; b = o.nextBatch()) {
    ids.push(...b.events.map((e) => e.id!));
    o.ack(b);
  }
  return ids.sort();
}

test('events handed to the bookkeeping thread are queued, in one outbox with the ones after it died', async (t) => {
  const { cfg } = config();
  const lines: string[] = [];
  const keeper = await startBookkeeper(cfg, { watch: false, scanMs: 10_000 }, (l) => lines.push(l));
  const first = [ev(), ev(), ev()];
  keeper.sink(first.slice(0, 1));
  keeper.sink(first.slice(1));
  // Queued by the thread (its segment is sealed within a second).
  await waitFor(() => new Outbox(cfg.stateDir).pending().total === 3, 'three queued events');
  t.not(keeper.thread, null);
  await keeper.thread!.terminate();
  await waitFor(() => lines.some((l) => /bookkeeping thread stopped/.test(l)), 'the take-over line');
  const later = [ev(), ev()];
  keeper.sink(later);
  await keeper.stop();
  t.deepEqual(queuedIds(cfg.stateDir), [...first, ...later].map((e) => e.id!).sort());
});

test('a scan that read a backlog hands over to a fresh thread; events sent meanwhile wait and are queued once', async (t) => {
  const { home, cfg } = config();
  const dir = join(home, '.claude', 'projects', '-home-dev-app');
  mkdirSync(dir, { recursive: true });
  const n = RENEW_AFTER_EVENTS + 10;
  const line = (i: number) => JSON.stringify({ type: 'assistant', sessionId: 's-1', version: '2.1.190', timestamp: '2026-05-04T09:00:00.000Z', requestId: `req_${i}`, message: { id: `msg_${i}`, model: 'claude-haiku-4-5', content: [], usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } });
  writeFileSync(join(dir, 'backlog.jsonl'), `${Array.from({ length: n }, (_, i) => line(i)).join('\n')}\n`);
  age(home);
  const lines: string[] = [];
  const keeper = await startBookkeeper(cfg, { watch: true, scanMs: 100 }, (l) => lines.push(l));
  const firstThread = keeper.thread;
  const proxied = Array.from({ length: 30 }, () => ev());
  // Hand events over all along, across the renewal.
  for (const e of proxied) {
    keeper.sink([e]);
    await new Promise((r) => setTimeout(r, 10));
  }
  await waitFor(() => keeper.thread !== firstThread, 'a fresh thread', 20_000);
  // The fresh thread scans again (every 100 ms) and finds nothing new.
  await new Promise((r) => setTimeout(r, 400));
  await keeper.stop();
  t.true(lines.some((l) => l.includes(`logs: ${n} new events`)), lines.join('\n'));
  t.false(lines.some((l) => /bookkeeping thread stopped/.test(l)), lines.join('\n'));
  const ids = queuedIds(cfg.stateDir);
  // n log messages + 30 proxied events, each exactly once
  t.is(ids.length, n + 30);
  t.is(new Set(ids).size, n + 30);
  t.true(proxied.every((e) => ids.includes(e.id!)));
});
