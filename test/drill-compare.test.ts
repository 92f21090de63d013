// The drills' verdict on what the server holds (drill/_common.ts compare): sent against
// stored in each of the three places the server keeps usage. A drill that could not see
// a lost or doubled event would print 0 whatever happened.
import test from 'ava';
import { compare, zero, type Stored, type Totals } from '../drill/_common.ts';

const t = (events: number, input: number): Totals => ({ ...zero(), events, input_tokens: input });
const same = (x: Totals) => ({ raw: { ...x }, rollups: { ...x }, read_model: { ...x } });

test('all three views equal to what was sent: nothing lost, nothing doubled', (tt) => {
  const sent = new Map([[1, t(3, 30)], [2, t(2, 20)]]);
  const stored: Stored = new Map([[1, same(t(3, 30))], [2, same(t(2, 20))]]);
  tt.deepEqual(compare(sent, stored), { expected_events: 3 + 2, stored_events: 3 + 2, lost: 0, doubled: 0, token_mismatches: [] });
});

test('an event missing from one view is lost; one counted twice in another is doubled; sums that differ are named', (tt) => {
  const sent = new Map([[1, t(3, 30)], [2, t(2, 20)]]);
  const stored: Stored = new Map([
    [1, { raw: t(3, 30), rollups: t(2, 20), read_model: t(3, 30) }],
    [2, { raw: t(2, 20), rollups: t(2, 20), read_model: t(3, 25) }],
  ]);
  const c = compare(sent, stored);
  tt.is(c.lost, 3 - 2, 'user 1: one event missing from the rollups');
  tt.is(c.doubled, 3 - 2, 'user 2: one event too many in the read model');
  tt.deepEqual(c.token_mismatches, ['user 1 rollups.input_tokens: sent 30, stored 20', 'user 2 read_model.input_tokens: sent 20, stored 25']);
});

test('a person who sent and has nothing stored lost everything; rows nobody sent are named', (tt) => {
  const c = compare(new Map([[1, t(4, 40)]]), new Map([[9, same(t(1, 1))]]));
  tt.is(c.lost, 4);
  tt.is(c.stored_events, 0);
  tt.true(c.token_mismatches.includes('user 9: stored events nobody in the drill sent'));
});
