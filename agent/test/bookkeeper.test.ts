// The bookkeeping thread: events handed over by the proxy's thread are queued in the
// outbox; if the thread dies, the caller's thread takes over and nothing is lost.
import test from 'ava';
import { startBookkeeper } from '../bookkeeper.ts';
import { loadConfig } from '../config.ts';
import { Outbox } from '../outbox.ts';
import { ev } from './helpers/events.ts';
import { tempDir } from './helpers/tmp.ts';
import { waitFor } from './helpers/upstream.ts';

function config() {
  const home = tempDir('tb-keeper-');
  return loadConfig({ HOME: home, TOKENBOARD_STATE_DIR: `${home}/state` });
}

test('events handed to the bookkeeping thread are queued, in one outbox with the ones after it died', async (t) => {
  const cfg = config();
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
  const o = new Outbox(cfg.stateDir);
  const ids: string[] = [];
  for (let b = o.nextBatch(); b; b = o.nextBatch()) {
    ids.push(...b.events.map((e) => e.id!));
    o.ack(b);
  }
  t.deepEqual(ids.sort(), [...first, ...later].map((e) => e.id!).sort());
});
