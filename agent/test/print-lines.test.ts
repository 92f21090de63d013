// `collect --dry-run --json` prints one event per line in pieces of about 64 KB, waiting
// for a slow reader between pieces: every event exactly once, in order, nothing else.
import test from 'ava';
import { printJsonLines } from '../cli/collect.ts';
import { ev } from './helpers/events.ts';

test('many events: whole lines in pieces of about 64 KB, each written after the reader drained the last', async (t) => {
  const events = Array.from({ length: 3000 }, () => ev());
  const pieces: string[] = [];
  let waits = 0;
  let draining = false;
  const io = {
    out: (s: string) => {
      t.false(draining, 'a piece was written before the previous one drained');
      pieces.push(`${s}\n`);
      draining = true;
    },
    err: () => {},
    env: {},
    drained: () => new Promise<void>((ok) => setTimeout(() => { waits++; draining = false; ok(); }, 1)),
  };
  await printJsonLines(io, events);
  const text = pieces.join('');
  const lines = text.split('\n');
  t.is(lines.pop(), ''); // the output ends with a newline
  t.deepEqual(lines.map((l) => JSON.parse(l).id), events.map((e) => e.id));
  // About 300 bytes an event: 3000 events are several pieces, none much over 64 KB.
  t.true(pieces.length > 3, `${pieces.length} pieces`);
  t.true(pieces.every((p) => p.length < 64 * 1024 + 1024));
  t.is(waits, pieces.length);
});

test('no events: nothing printed', async (t) => {
  const pieces: string[] = [];
  await printJsonLines({ out: (s) => pieces.push(s), err: () => {}, env: {} }, []);
  t.deepEqual(pieces, []);
});
