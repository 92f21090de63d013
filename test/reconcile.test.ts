// The reconciliation rule with hand-computed expectations: per person, day and provider,
// provider-anchored numbers win for tokens and cost; the self-reported ones are kept aside.
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { addUser } from '../src/users/users.ts';
import { storeImported } from '../src/imports/mapping.ts';
import { setPrice } from '../src/pricing/store.ts';
import { dayFigures, reconcileSlices } from '../src/ledger/rules.ts';
import { PriceTable } from '../src/pricing/table.ts';
import { rows } from './helpers/db.ts';

const admin = { userId: null, login: 'root' };
const noon = (d: number) => Date.UTC(2026, 9, d, 12);

test('the reconciliation rule: provider numbers win per provider; messages stay self-reported', (t) => {
  const row = (provider: string, source: string, input: number, events: number) => ({ provider, model: 'm', source, is_local: false, tier: 0, input_tokens: input, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, events });
  const slices = reconcileSlices([row('anthropic', 'claude-code', 1000, 2), row('anthropic', 'anthropic-admin', 1500, 1), row('openai', 'proxy', 500, 1)], new PriceTable([]));
  // Anthropic: 1500 from the import wins, the logs' 1000 are replaced; the logs' 2 messages
  // count, the import's daily bucket does not. OpenAI: 500 tokens, 1 message.
  t.like(dayFigures(slices), { input_tokens: 2000, events: 3, replaced_tokens: 1000, unpriced_tokens: 2000, cost_usd: 0 });
  t.like(slices.find((s) => s.source === 'claude-code'), { tokens: 0, events: 2, replaced_tokens: 1000 });
  t.like(slices.find((s) => s.source === 'anthropic-admin'), { tokens: 1500, events: 0, replaced_tokens: 0 });
});

test('ingest, import and price edits keep the read model reconciled', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const s = app.running.services;
  await addUser(s.db, { login: 'rec', email: 'rec@acme.dev' }, admin);
  const rec = await app.createToken('rec');
  await postIngest(app.url, rec, { events: [
    event({ ts: noon(1), model: 'claude-haiku-4-5', input_tokens: 600, output_tokens: 0, source: 'claude-code' }),
    event({ ts: noon(1) + 1000, model: 'claude-haiku-4-5', input_tokens: 400, output_tokens: 0, source: 'claude-code' }),
    event({ ts: noon(1), provider: 'openai', model: 'gpt-5', input_tokens: 500, output_tokens: 0, source: 'proxy' }),
    event({ ts: noon(2), model: 'claude-haiku-4-5', input_tokens: 100, output_tokens: 0, source: 'claude-code' }),
  ] });
  await storeImported(s, 'anthropic-admin', [{
    event: { ts: noon(1), provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false, input_tokens: 1500, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, id: 'aa:day1', source: 'anthropic-admin' },
    identities: [['email', 'rec@acme.dev']], label: 'rec@acme.dev',
  }]);
  const day = async (d: string) => (await rows<Record<string, number>>(s.db, 'SELECT input_tokens, events, replaced_tokens, cost_usd FROM user_days WHERE day = ?', [d]))[0];
  // Anthropic: the import's 1500 wins over the logs' 1000; OpenAI's 500 counts as is.
  // Cost: 1500 × $1/MTok (haiku) + 500 × $1.25/MTok (gpt-5) = 0.0015 + 0.000625.
  t.deepEqual(await day('2026-10-01'), { input_tokens: 2000, events: 3, replaced_tokens: 1000, cost_usd: 0.002125 });
  t.deepEqual(await day('2026-10-02'), { input_tokens: 100, events: 1, replaced_tokens: 0, cost_usd: 0.0001 });

  // More self-reported usage on the anchored day changes only what is kept aside.
  await postIngest(app.url, rec, { events: [event({ ts: noon(1) + 5000, model: 'claude-haiku-4-5', input_tokens: 500, output_tokens: 0, source: 'claude-code' })] });
  t.deepEqual(await day('2026-10-01'), { input_tokens: 2000, events: 4, replaced_tokens: 1500, cost_usd: 0.002125 });

  // A price edit re-prices the anchored day by the same rule: 1500 × $2 + 500 × $1.25.
  await setPrice(s.db, { model: 'claude-haiku-4-5', input: 2, output: 10 }, admin);
  t.deepEqual(await day('2026-10-01'), { input_tokens: 2000, events: 4, replaced_tokens: 1500, cost_usd: 0.003625 });
  const totals = (await rows<Record<string, number>>(s.db, 'SELECT input_tokens, replaced_tokens, cost_usd, events FROM user_totals'))[0];
  t.like(totals, { input_tokens: 2100, replaced_tokens: 1500, events: 5 });
  t.true(Math.abs(totals.cost_usd - 0.003825) < 1e-12, 'summed in SQL: equal up to float rounding');
});

test('an agent cannot claim a provider-anchored source', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  await app.createUser('fake');
  const a = await app.createToken('fake');
  const res = await postIngest(app.url, a, { events: [event({ source: 'anthropic-admin' })] });
  t.is(res.status, 400);
  t.regex(res.json.error, /events\[0\]\.source: "anthropic-admin" is reserved/);
});
