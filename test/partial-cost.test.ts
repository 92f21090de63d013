// The leaderboard's "* partial cost" footnote explains a mark on the page and goes away with
// it: once every model has a price, no cost is partial, on the page or in the JSON (the read
// model is re-priced with the price change).
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';

const FOOTNOTE = 'partial cost: leaves out models without a price';

test('the footnote shows while a model has no price, and is gone once it has one', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  await app.createUser('ana');
  const agent = await app.createToken('ana');
  await postIngest(app.url, agent, { events: [
    event({ model: 'claude-haiku-4-5', input_tokens: 1_000_000, output_tokens: 0 }),
    event({ model: 'acme-coder-9', provider: 'acme', input_tokens: 1_000_000, output_tokens: 0 }),
  ] });
  const admin = await app.signIn('root', 'admin');

  const before = await admin.get('/?metric=cost');
  t.true(before.text.includes(FOOTNOTE), 'a partial cost on the page: the footnote explains it');
  t.regex(before.text, /<sup class="partial-mark">\*<\/sup>/);
  const api = (await admin.get('/api/v1/leaderboard', { accept: 'application/json' })).json();
  t.true(api.rows[0].cost_partial);
  t.deepEqual(api.rows[0].unpriced_models, ['acme-coder-9']);

  t.is((await admin.post('/admin/prices', { mode: 'add', model: 'acme-coder-9', provider: 'acme', input: '2', output: '8' })).status, 303);

  const after = await admin.get('/?metric=cost');
  t.false(after.text.includes(FOOTNOTE), 'every model has a price: no footnote');
  t.false(after.text.includes('partial-mark'), 'and no mark');
  const json = (await admin.get('/api/v1/leaderboard', { accept: 'application/json' })).json();
  t.false(json.rows[0].cost_partial);
  t.false(json.summary.cost_partial);
  // 1M haiku input at $1/M + 1M acme-coder-9 input at $2/M = $3.
  t.is(json.rows[0].cost_usd, 3);
  t.regex(after.text, /<span class="money">\$3\.00<\/span>/);
});
