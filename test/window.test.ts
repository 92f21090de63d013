import test from 'ava';
import { DayCalendar } from '../src/usage/days.ts';
import { previousRange, windowRange } from '../src/usage/window.ts';
import { trustOf } from '../src/ledger/rules.ts';

test('windows are inclusive day ranges ending today in the org time zone', (t) => {
  const tokyo = new DayCalendar('Asia/Tokyo');
  // 2026-03-31 20:00 UTC is already 2026-04-01 in Tokyo.
  const now = Date.UTC(2026, 2, 31, 20);
  t.deepEqual(windowRange('today', tokyo, now), { window: 'today', from: '2026-04-01', to: '2026-04-01', days: 1 });
  t.deepEqual(windowRange('7d', tokyo, now), { window: '7d', from: '2026-03-26', to: '2026-04-01', days: 7 });
  t.deepEqual(windowRange('30d', new DayCalendar('UTC'), now), { window: '30d', from: '2026-03-02', to: '2026-03-31', days: 30 });
  t.deepEqual(windowRange('all', tokyo, now), { window: 'all', from: null, to: '2026-04-01', days: null });
  t.deepEqual(previousRange(windowRange('7d', tokyo, now)), { window: '7d', from: '2026-03-19', to: '2026-03-25', days: 7 });
  t.is(previousRange(windowRange('all', tokyo, now)), null);
});

test('trust labels', (t) => {
  t.is(trustOf('proxy'), 'device');
  t.is(trustOf('otlp'), 'device');
  t.is(trustOf('anthropic-admin'), 'provider');
  t.is(trustOf('cursor-admin'), 'provider');
  t.is(trustOf('github-copilot'), 'provider');
  t.is(trustOf('claude-code'), 'self-reported');
  t.is(trustOf('anything-else'), 'self-reported');
});
