// The running-total rule (agent/collectors/cumulative.ts), pure: no files, no store.
// Every expected number is worked out by hand below.
import test from 'ava';
import { Cursors, SETTLE_MS, type ScanContext } from '../collectors/context.ts';
import { RunningTotals, largestPerSeries, type Counts, type Snapshot } from '../collectors/cumulative.ts';
import { splitCounts } from '../collectors/split.ts';
import { checkBatch, MAX_EVENT_TOKENS, type WireEvent } from '../wire.ts';
import { totals } from './helpers/logs.ts';

const RAW = 'sess-RAW-7731';

function ctx(cursors = new Cursors(null), sinceMs: number | null = null): ScanContext {
  return { salt: Buffer.alloc(32, 3), now: Date.now(), settleMs: SETTLE_MS, sinceMs, cursors, roots: {} as ScanContext['roots'] };
}

const snap = (counts: Counts, more: Partial<Snapshot> = {}): Snapshot => ({
  series: RAW, counts, ts: Date.UTC(2026, 4, 1), provider: 'anthropic', model: 'claude-sonnet-4-5', session: 'h', ...more,
});

test('one event per increase of the total, nothing for a total seen before', (t) => {
  const rt = new RunningTotals(ctx(), 'goose', 'gs');
  t.deepEqual(totals(rt.advance(snap([100, 10, 1000, 50, 0]))), { events: 1, input_tokens: 100, output_tokens: 10, cache_read_tokens: 1000, cache_write_tokens: 50 });
  t.deepEqual(rt.advance(snap([100, 10, 1000, 50, 0])), [], 'the same total again');
  // 160 - 100 = 60 in, 25 - 10 = 15 out, 1800 - 1000 = 800 read, no new write
  t.deepEqual(totals(rt.advance(snap([160, 25, 1800, 50, 0]))), { events: 1, input_tokens: 60, output_tokens: 15, cache_read_tokens: 800, cache_write_tokens: 0 });
});

test('a total that goes down counts nothing, and then only what rises above the highest total', (t) => {
  const rt = new RunningTotals(ctx(), 'goose', 'gs');
  rt.advance(snap([1000, 100, 0, 0, 0]));
  t.deepEqual(rt.advance(snap([400, 40, 0, 0, 0])), [], 'a restored backup: already sent');
  t.deepEqual(rt.advance(snap([900, 90, 0, 0, 0])), [], 'growing again, still below the mark');
  // above the mark of 1000/100: 1200 - 1000 = 200 in, 130 - 100 = 30 out
  t.deepEqual(totals(rt.advance(snap([1200, 130, 0, 0, 0]))), { events: 1, input_tokens: 200, output_tokens: 30, cache_read_tokens: 0, cache_write_tokens: 0 });
});

test('a new generation of the same id (deleted and created anew) counts from zero, with new ids', (t) => {
  const rt = new RunningTotals(ctx(), 'hermes', 'hm');
  const first = rt.advance(snap([1000, 100, 0, 0, 0], { generation: '1779000000.5' }));
  const again = rt.advance(snap([40, 4, 0, 0, 0], { generation: '1779999999.0' }));
  t.deepEqual(totals(again), { events: 1, input_tokens: 40, output_tokens: 4, cache_read_tokens: 0, cache_write_tokens: 0 });
  t.not(again[0].id, first[0].id);
  // A snapshot without a generation (Goose's legacy file) belongs to the series it names.
  t.deepEqual(rt.advance(snap([40, 4, 0, 0, 0])), []);
  t.deepEqual(totals(rt.advance(snap([50, 5, 0, 0, 0]))), { events: 1, input_tokens: 10, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0 });
});

test('a file without generation, then its store row with one: the same series, not counted twice', (t) => {
  const rt = new RunningTotals(ctx(), 'goose', 'gs');
  rt.advance(snap([4600, 600, 0, 0, 0]));
  // The row adds its creation time and has grown: 5000 - 4600 = 400 in, 900 - 600 = 300 out, 3000 read, 1000 write
  t.deepEqual(totals(rt.advance(snap([5000, 900, 3000, 1000, 0], { generation: '2026-05-01 12:00:00' }))), { events: 1, input_tokens: 400, output_tokens: 300, cache_read_tokens: 3000, cache_write_tokens: 1000 });
});

test('an increase above the per-event limit: several events that add up to it exactly', (t) => {
  const rt = new RunningTotals(ctx(), 'goose', 'gs');
  rt.advance(snap([1500, 180, 0, 0, 0]));
  // +4,000,000 in and +1,000,000 out = 5,000,000 tokens: ceil(5,000,000 / 1,999,995) = 3 pieces;
  // in: floor(4e6/3) = 1,333,333, floor(8e6/3) - 1,333,333 = 1,333,333, 4e6 - 2,666,666 = 1,333,334;
  // out: 333,333, 333,333, 333,334.
  const ev = rt.advance(snap([4_001_500, 1_000_180, 0, 0, 0]));
  t.deepEqual(ev.map((e) => [e.input_tokens, e.output_tokens]), [[1_333_333, 333_333], [1_333_333, 333_333], [1_333_334, 333_334]]);
  t.true(checkBatch({ events: ev }).ok, 'each piece passes the wire limit');
  t.is(new Set(ev.map((e) => e.id)).size, 3);
});

test('splitCounts keeps every piece within the limit, the 1-hour part within its cache write, and the sums exact', (t) => {
  const c: Counts = [2_000_001, 3, 7_777_777, 1_234_567, 1_000_001];
  const pieces = splitCounts(c);
  for (const p of pieces) {
    t.true(p[0] + p[1] + p[2] + p[3] <= MAX_EVENT_TOKENS);
    t.true(p[4] <= p[3]);
  }
  t.deepEqual([0, 1, 2, 3, 4].map((i) => pieces.reduce((s, p) => s + p[i], 0)), c);
  t.deepEqual(splitCounts([5, 5, 5, 5, 0]), [[5, 5, 5, 5, 0]], 'small totals stay whole');
});

test('ids are stable: the same totals read again (a lost cursor save, a fresh scan) give the same ids', (t) => {
  const seq = (): WireEvent[] => {
    const rt = new RunningTotals(ctx(), 'droid', 'dr');
    return [...rt.advance(snap([100, 10, 0, 0, 0])), ...rt.advance(snap([3_000_100, 10, 0, 0, 0]))];
  };
  const a = seq();
  const b = seq();
  t.is(a.length, 3); // 100 + 10, then 3,000,000 in two pieces
  t.deepEqual(a.map((e) => e.id), b.map((e) => e.id));
  // The latest total seen afresh (nothing remembered) keeps the id of the event that reached it,
  // so the server, which already has that event, takes it as a duplicate.
  const fresh = new RunningTotals(ctx(), 'droid', 'dr').advance(snap([100, 10, 0, 0, 0]));
  t.is(fresh[0].id, a[0].id);
});

test('state is kept under digests, never the raw series id', (t) => {
  const cursors = new Cursors(null);
  new RunningTotals(ctx(cursors), 'goose', 'gs').advance(snap([1, 1, 0, 0, 0], { series: `/home/dev/${RAW}\u0000${RAW}`, generation: '2026-05-01 12:00:00' }));
  const kept = JSON.stringify(cursors.extra('goose-totals', () => ({})));
  t.false(kept.includes(RAW));
  t.false(kept.includes('/home/dev'));
  t.false(kept.includes('2026-05-01'));
});

test('--since: an increase before the day is not sent', (t) => {
  const rt = new RunningTotals(ctx(new Cursors(null), Date.UTC(2026, 5, 1)), 'goose', 'gs');
  t.deepEqual(rt.advance(snap([5, 5, 0, 0, 0])), []);
  t.is(rt.advance(snap([9, 9, 0, 0, 0], { ts: Date.UTC(2026, 5, 2) })).length, 1);
});

test('largestPerSeries keeps the larger total of one session read from two places', (t) => {
  const kept = largestPerSeries([snap([800, 100, 2000, 400, 0]), snap([1200, 350, 5000, 400, 0]), snap([1, 1, 0, 0, 0], { series: 'other' })]);
  t.deepEqual(kept.map((s) => s.counts), [[1200, 350, 5000, 400, 0], [1, 1, 0, 0, 0]]);
});
