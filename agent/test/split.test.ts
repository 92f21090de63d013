// The one split rule (agent/collectors/split.ts) where the shares do not divide evenly: the
// cases a per-count floor with the remainder on the last piece got wrong. Worked out by hand.
import test from 'ava';
import { splitEvent } from '../collectors/split.ts';
import { checkBatch } from '../wire.ts';
import { ev } from './helpers/events.ts';

test('remainders spread over the pieces: none passes the limit', (t) => {
  // 1,999,999 in + 2,000,001 out = 4,000,000: ceil(4,000,000 / 1,999,995) = 3 pieces.
  // in: floor(1,999,999/3) = 666,666, floor(3,999,998/3) − 666,666 = 666,666, 1,999,999 − 1,333,332 = 666,667
  // out: floor(2,000,001/3) = 666,667, floor(4,000,002/3) − 666,667 = 666,667, 2,000,001 − 1,333,334 = 666,667
  const parts = splitEvent(ev({ input_tokens: 1_999_999, output_tokens: 2_000_001, id: 'z' }));
  t.deepEqual(parts.map((p) => [p.input_tokens, p.output_tokens]), [[666_666, 666_667], [666_666, 666_667], [666_667, 666_667]]);
  t.true(checkBatch({ events: parts }).ok);
});

test('the 1-hour part of each piece stays within its cache writes', (t) => {
  // 5,999,997 in + 3 written (2 of them 1-hour) = 6,000,000: ceil(6,000,000 / 1,999,995) = 4 pieces.
  // in 5,999,997: 1,499,999 three times, then 1,500,000; 5-minute writes 1: 0, 0, 0, 1;
  // 1-hour writes 2: floor(2/4) = 0, floor(4/4) − 0 = 1, floor(6/4) − 1 = 0, 2 − 1 = 1;
  // so cache writes 0, 1, 0, 2 with 1-hour parts none, 1, none, 1.
  const parts = splitEvent(ev({ input_tokens: 5_999_997, output_tokens: 0, cache_write_tokens: 3, cache_write_1h_tokens: 2, id: 'w' }));
  t.deepEqual(parts.map((p) => [p.input_tokens, p.cache_write_tokens, p.cache_write_1h_tokens]),
    [[1_499_999, 0, undefined], [1_499_999, 1, 1], [1_499_999, 0, undefined], [1_500_000, 2, 1]]);
  t.true(checkBatch({ events: parts }).ok);
});
