// The reconciliation rule with hand-computed expectations: per person, day and provider,
// provider-anchored numbers win for tokens and cost; the self-reported ones are kept aside.
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { addUser } from '../src/users/users.ts';
import { storeImported } from '../src/imports/mapping.ts';
import { setPrice } from '../src/pricing/store.ts';
import { COPILOT_CLI_MODEL, dayFigures, reconcileSlices } from '../src/ledger/rules.ts';
import { rollupGroups } from '../src/ledger/read.ts';
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

test('reconciled groups follow the meter, not the provider: Copilot CLI logs of a Claude model are replaced by GitHub\'s CLI report, VS Code Copilot logs never', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const s = app.running.services;
  await addUser(s.db, { login: 'met', email: 'met@acme.dev' }, admin);
  const met = await app.createToken('met');
  // 2026-10-06: the Copilot CLI's own export names a Claude model (provider anthropic), VS
  // Code Copilot Chat logs one request, and GitHub reports the CLI's day.
  await postIngest(app.url, met, { events: [
    event({ ts: noon(6), provider: 'anthropic', model: 'claude-sonnet-4-5', input_tokens: 300, output_tokens: 0, source: 'copilot-cli' }),
    event({ ts: noon(6), provider: 'github-copilot', model: 'gpt-4o', input_tokens: 50, output_tokens: 0, source: 'copilot-vscode' }),
  ] });
  await storeImported(s, 'github-copilot', [{
    event: { ts: noon(6), provider: 'github-copilot', model: COPILOT_CLI_MODEL, is_local: false, input_tokens: 200, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, id: 'gh:day6', source: 'github-copilot' },
    identities: [['email', 'met@acme.dev']], label: 'met@acme.dev',
  }]);
  const groups = (await rollupGroups(s.db, { from: '2026-10-06', to: '2026-10-06' }))
    .map((g) => [g.source, g.model, g.input_tokens, g.events]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  // Meter github-copilot:cli: GitHub's 200 win; the export's 300 are replaced, its 1 message
  // counts and the report's daily bucket does not. Meter github-copilot:ide-logs: nothing
  // reports it, so its 50 tokens and 1 message stay. (By provider instead, the export's 300
  // would stay, anthropic having no report that day, and the VS Code tokens would go.)
  t.deepEqual(groups, [['copilot-cli', 'claude-sonnet-4-5', 0, 1], ['copilot-vscode', 'gpt-4o', 50, 1], ['github-copilot', COPILOT_CLI_MODEL, 200, 0]]);
  // The read model, rewritten by the same rule, agrees: 200 + 50 tokens, 2 messages, 300 aside.
  t.deepEqual((await rows<Record<string, number>>(s.db, "SELECT input_tokens, events, replaced_tokens FROM user_days WHERE day = '2026-10-06'"))[0],
    { input_tokens: 250, events: 2, replaced_tokens: 300 });
});
