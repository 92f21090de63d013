// Pure pricing rules (PRICES.md): name normalisation, tiers, cost. No database.
import test from 'ava';
import { cleanModelName, lookupNames } from '../src/pricing/normalize.ts';
import { PriceTable, costUsd, tierFor, groupCost, type Price } from '../src/pricing/table.ts';
import seed from '../src/pricing/seed-prices.json' with { type: 'json' };

const table = new PriceTable(seed as Price[]);

test('names are cleaned per PRICES.md step 2 and 3', (t) => {
  t.is(cleanModelName('claude-sonnet-4-5-20250929[1m]'), 'claude-sonnet-4-5-20250929');
  t.is(cleanModelName('anthropic/claude-sonnet-4.5'), 'claude-sonnet-4-5');
  t.is(cleanModelName('us.anthropic.claude-sonnet-4-5-20250929-v1:0'), 'claude-sonnet-4-5-20250929');
  t.is(cleanModelName('claude-opus-4-1@20250805'), 'claude-opus-4-1-20250805');
  t.is(cleanModelName('  GPT-5.1  '), 'gpt-5.1', 'dots stay in non-Claude ids');
});

test('lookup: exact, alias, cleaned, then without a trailing date', (t) => {
  t.is(table.lookup('claude-haiku-4-5')?.model, 'claude-haiku-4-5');
  t.is(table.lookup('claude-3-5-sonnet-latest')?.model, 'claude-3-5-sonnet-20241022', 'alias');
  t.is(table.lookup('gpt-4o-2024-08-06')?.model, 'gpt-4o', 'alias');
  t.is(table.lookup('anthropic/claude-sonnet-4.5')?.model, 'claude-sonnet-4-5');
  t.is(table.lookup('us.anthropic.claude-haiku-4-5-20251001-v1:0')?.model, 'claude-haiku-4-5-20251001');
  t.is(table.lookup('claude-sonnet-4-6-20270101')?.model, 'claude-sonnet-4-6', 'an unknown date falls back to the undated row');
  t.is(table.lookup('gpt-5-mini-2025-08-07')?.model, 'gpt-5-mini');
  t.deepEqual(lookupNames('gpt-5.2-2099-01-01'), ['gpt-5.2-2099-01-01', 'gpt-5.2']);
});

test('lookup never fuzzy-matches across families; gpt-4o-2024-05-13 keeps its own price', (t) => {
  t.is(table.lookup('claude-sonnet-9'), null);
  t.is(table.lookup('gpt-4o-2024-05-13'), null, 'not silently billed as gpt-4o');
  t.is(table.lookup('my-local-llama'), null);
  t.is(table.lookup('<synthetic>'), null);
});

test('patterns: * matches, the most specific wins, exact ids beat patterns', (t) => {
  const base = seed as Price[];
  const p = (model: string, input: number): Price => ({ model, provider: 'x', input, output: 1, cache_read: null, cache_write: null, tiers: [], aliases: [] });
  const tb = new PriceTable([...base, p('acme-*', 1), p('acme-coder-*', 2), p('claude-*', 99)]);
  t.is(tb.lookup('acme-chat-1')?.input, 1);
  t.is(tb.lookup('acme-coder-7b')?.input, 2);
  t.is(tb.lookup('claude-haiku-4-5')?.model, 'claude-haiku-4-5');
  t.is(tb.lookup('claude-new-thing')?.input, 99);
});

test('cost: disjoint input buckets times their prices', (t) => {
  const haiku = table.lookup('claude-haiku-4-5')!;
  // haiku 4.5: in $1, out $5, cache read $0.10, cache write $1.25 per MTok.
  const c = { input_tokens: 1_000_000, output_tokens: 200_000, cache_read_tokens: 3_000_000, cache_write_tokens: 400_000 };
  t.is(Math.round(costUsd(haiku, 0, c) * 1e6) / 1e6, 1 + 1 + 0.3 + 0.5);
});

test('long-context tier: decided per request by its prompt size, whole request at the higher rate', (t) => {
  const sonnet = table.lookup('claude-sonnet-4-5')!;
  t.is(tierFor(sonnet, { input_tokens: 150_000, output_tokens: 9_000, cache_read_tokens: 50_000, cache_write_tokens: 0 }), 0, 'exactly 200k is not above');
  const big = { input_tokens: 150_000, output_tokens: 10_000, cache_read_tokens: 50_000, cache_write_tokens: 1 };
  t.is(tierFor(sonnet, big), 1);
  // sonnet 4.5 above 200k: in $6, out $22.5, cache read $0.6, cache write $7.5.
  const expected = (150_000 * 6 + 10_000 * 22.5 + 50_000 * 0.6 + 1 * 7.5) / 1e6;
  t.is(Math.round(costUsd(sonnet, 1, big) * 1e9), Math.round(expected * 1e9));
  t.is(tierFor(table.lookup('claude-haiku-4-5'), big), 0, 'a model without tiers stays at 0');
});

test('tiered pricing (qwen) picks the highest tier passed', (t) => {
  const q = table.lookup('qwen3-coder-plus')!;
  const at = (n: number) => tierFor(q, { input_tokens: n, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 });
  t.deepEqual([at(1000), at(32_001), at(200_000), at(300_000)], [0, 1, 2, 3]);
});

test('local models cost 0, unknown models null', (t) => {
  const g = { input_tokens: 10, output_tokens: 10, cache_read_tokens: 0, cache_write_tokens: 0, tier: 0 };
  t.is(groupCost(table, { ...g, model: 'llama3.1:8b', is_local: true }), 0);
  t.is(groupCost(table, { ...g, model: 'llama3.1:8b', is_local: false }), null);
});
