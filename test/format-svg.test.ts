// Number formatting and the SVG renderers, as pure functions: text, escaping, one title per day.
import test from 'ava';
import { compact, duration, int, percent, usd } from '../src/web/format.ts';
import { heatmapSvg, levels } from '../src/web/svg/heatmap.ts';
import { sparklineSvg } from '../src/web/svg/sparkline.ts';
import { trendSvg } from '../src/web/svg/trend.ts';
import { badgeSvg } from '../src/web/svg/badge.ts';
import { cardSvg } from '../src/web/svg/card.ts';
import { fillDays } from '../src/usage/streaks.ts';

test('compact numbers, money, percent, duration', (t) => {
  t.deepEqual([0, 999, 1000, 1234, 12_345, 123_456, 999_960, 1_000_000, 12_345_678, 1_234_567_890].map(compact),
    ['0', '999', '1K', '1.2K', '12.3K', '123K', '1M', '1M', '12.3M', '1.2B']);
  t.is(int(1_234_567), '1,234,567');
  t.is(usd(1234.561), '$1,234.56');
  t.is(usd(0), '$0.00');
  t.is(usd(0.001), '<$0.01');
  t.is(usd(null), 'unknown');
  t.is(percent(0.4234), '42%');
  t.is(percent(0.001), '<1%');
  t.is(duration(48_600_000), '13h 30m');
  t.is(duration(300_000), '5m');
  t.is(duration(42_000), '42s');
});

test('heatmap: one rect and one title per day, levels by quartile, escaped', (t) => {
  const days = fillDays([{ day: '2026-10-14', tokens: 1_001_000, messages: 2 }, { day: '2026-10-13', tokens: 100, messages: 1 }], '2025-10-15', '2026-10-14');
  const svg = heatmapSvg(days, { label: '<b>x</b>' });
  t.is((svg.match(/<rect /g) ?? []).length, 365);
  t.is((svg.match(/<title>/g) ?? []).length, 365);
  t.true(svg.includes('<title>Oct 14, 2026: 1,001,000 tokens, 2 messages</title>'));
  t.true(svg.includes('<title>Oct 12, 2026: no activity</title>'));
  t.true(svg.includes('aria-label="&lt;b&gt;x&lt;/b&gt;"'));
  t.false(svg.includes('<b>'));
  // Active values 1,2,3,4,100: quartile thresholds 2, 3 and 4.
  t.deepEqual(levels([0, 1, 2, 3, 4, 100]), [0, 1, 1, 2, 3, 4]);
});

test('sparkline, trend, badge and card escape what they print', (t) => {
  t.true(sparklineSvg([0, 1, 5, 2]).startsWith('<svg class="spark"'));
  t.true(sparklineSvg([0, 0, 0]).includes('<path'));
  const trend = trendSvg(fillDays([{ day: '2026-10-14', tokens: 10, messages: 1 }], '2026-10-01', '2026-10-14'), 'day');
  t.is((trend.match(/<rect /g) ?? []).length, 14);
  const badge = badgeSvg('AI tokens 30d', '12.3M');
  t.true(badge.includes('>12.3M</text>'));
  t.true(badge.includes('aria-label="AI tokens 30d: 12.3M"'));
  const card = cardSvg({ login: 'pat', name: '<script>alert(1)</script>', windowLabel: 'last 30 days', tokens: 12_345_678, messages: 5, active_days: 3, current_streak: 2, top_models: ['<img src=x>'], spark: [1, 2], org: 'Acme & Co' });
  t.false(card.includes('<script>'));
  t.false(card.includes('<img'));
  t.true(card.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  t.true(card.includes('Acme &amp; Co'));
  t.true(card.includes('>12.3M</text>'));
});
