// Admin actions and the price-table tools, without the pages: roles, deactivation,
// deletion, the unknown-models inbox, coverage preview, LiteLLM import, price history.
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { deactivateUser, deleteUser, reactivateUser, setRole } from '../src/admin/users.ts';
import { coveredModels, priceHistory, unknownModels } from '../src/pricing/inbox.ts';
import { applyImport, parseLiteLLM, previewImport } from '../src/pricing/litellm.ts';
import { setPrice, listPrices } from '../src/pricing/store.ts';
import { rows } from './helpers/db.ts';
import { listAudit } from '../src/admin/audit.ts';

const admin = { userId: null, login: 'root' };

test('role change, deactivate (tokens stop working), reactivate, delete with typed confirmation', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  await app.createUser('mo');
  const mo = await app.createToken('mo');
  t.is((await postIngest(app.url, mo, { events: [event()] })).status, 200);
  t.is((await setRole(db, 'mo', 'manager', admin)).role, 'manager');
  await t.throwsAsync(setRole(db, 'mo', 'owner', admin), { message: /not a role/ });
  t.deepEqual(await deactivateUser(db, 'mo', admin), { revoked: 1 });
  t.is((await postIngest(app.url, mo, { events: [event()] })).status, 401);
  await reactivateUser(db, 'mo', admin);
  t.is((await postIngest(app.url, mo, { events: [event()] })).status, 401, 'old tokens stay revoked');
  await t.throwsAsync(deleteUser(db, 'mo', 'MO?', admin), { message: /type the login "mo"/ });
  await deleteUser(db, 'mo', 'mo', admin);
  const left = await rows<{ n: number }>(db,
    `SELECT (SELECT COUNT(*) FROM users WHERE login = 'mo') + (SELECT COUNT(*) FROM usage_events) + (SELECT COUNT(*) FROM daily_rollups)
          + (SELECT COUNT(*) FROM user_days) + (SELECT COUNT(*) FROM user_totals) + (SELECT COUNT(*) FROM agent_tokens)
          + (SELECT COUNT(*) FROM user_day_facets) + (SELECT COUNT(*) FROM user_facet_totals) + (SELECT COUNT(*) FROM sessions) + (SELECT COUNT(*) FROM rollup_totals) AS n`);
  t.is(left[0].n, 0);
  const kinds = (await listAudit(db, { limit: 1000 })).reverse().map((a) => a.kind);
  t.deepEqual(kinds.filter((k) => k.startsWith('user.') && k !== 'user.add'), ['user.role', 'user.deactivate', 'user.reactivate', 'user.delete']);
});

test('an admin cannot demote, deactivate or delete themselves', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  const me = await app.createUser('boss', 'admin');
  const self = { userId: me.id, login: 'boss' };
  await t.throwsAsync(setRole(db, 'boss', 'member', self), { message: /own admin role/ });
  await t.throwsAsync(deactivateUser(db, 'boss', self), { message: /yourself/ });
  await t.throwsAsync(deleteUser(db, 'boss', 'boss', self), { message: /yourself/ });
});

test('unknown-models inbox, coverage preview, and pricing removes a model from the inbox', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  await app.createUser('nia');
  const nia = await app.createToken('nia');
  await postIngest(app.url, nia, { events: [
    event({ provider: 'acme', model: 'acme-coder-7', ts: Date.UTC(2026, 9, 1), input_tokens: 10, output_tokens: 5 }),
    event({ provider: 'acme', model: 'acme-coder-7', ts: Date.UTC(2026, 9, 3), input_tokens: 1, output_tokens: 1 }),
    event({ provider: 'acme', model: 'acme-chat-1', ts: Date.UTC(2026, 9, 2), input_tokens: 100, output_tokens: 0 }),
    event({ provider: 'ollama', model: 'llama3', is_local: true, input_tokens: 7, output_tokens: 7 }),
    event({ model: 'claude-haiku-4-5' }),
  ] });
  t.deepEqual(await unknownModels(db), [
    { provider: 'acme', model: 'acme-chat-1', tokens: 100, events: 1, first_seen: '2026-10-02', last_seen: '2026-10-02' },
    { provider: 'acme', model: 'acme-coder-7', tokens: 17, events: 2, first_seen: '2026-10-01', last_seen: '2026-10-03' },
  ]);
  t.deepEqual((await coveredModels(db, 'acme-*')).map((m) => m.model).sort(), ['acme-chat-1', 'acme-coder-7']);
  t.deepEqual((await coveredModels(db, 'acme-coder-7')).map((m) => m.model), ['acme-coder-7']);
  t.deepEqual((await coveredModels(db, 'claude-haiku-4-5')).map((m) => [m.model, m.currently_priced]), [['claude-haiku-4-5', true]]);
  await setPrice(db, { model: 'acme-coder-*', input: 1, output: 2 }, admin);
  t.deepEqual((await unknownModels(db)).map((m) => m.model), ['acme-chat-1']);
  const history = await priceHistory(db);
  t.is(history[0].model, 'acme-coder-*');
  t.is(history[0].actor, 'root');
  t.is(history[0].before, null);
  t.like(history[0].after as object, { input: 1, output: 2 });
});

const LITELLM = JSON.stringify({
  sample_spec: { input_cost_per_token: 0 },
  'claude-haiku-4-5': { input_cost_per_token: 2e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 2e-7, cache_creation_input_token_cost: 2.5e-6, litellm_provider: 'anthropic', mode: 'chat' },
  'gpt-5': { input_cost_per_token: 1.25e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-7, litellm_provider: 'openai', mode: 'chat' },
  'acme-big': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, input_cost_per_token_above_128k_tokens: 2e-6, output_cost_per_token_above_128k_tokens: 4e-6, litellm_provider: 'acme', mode: 'chat' },
  'bedrock/anthropic.claude-x': { input_cost_per_token: 9e-6, output_cost_per_token: 9e-6, mode: 'chat' },
  'text-embedding-9': { input_cost_per_token: 1e-8, output_cost_per_token: 0, mode: 'embedding' },
});

test('LiteLLM import: parse, preview the diff, apply; history re-priced', async (t) => {
  const parsed = parseLiteLLM(LITELLM);
  t.is(parsed.prices.length, 3);
  t.is(parsed.skipped, 2);
  t.deepEqual(parsed.prices.find((p) => p.model === 'acme-big')!.tiers, [{ threshold_tokens: 128_000, input: 2, output: 4, cache_read: null, cache_write: null, cache_write_1h: null }]);

  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  await app.createUser('ola');
  const ola = await app.createToken('ola');
  await postIngest(app.url, ola, { events: [event({ model: 'claude-haiku-4-5', input_tokens: 1_000_000, output_tokens: 0 })] });
  t.is((await app.stats('ola')).cost_usd, 1);
  const before = await listPrices(db);

  const diff = await previewImport(db, LITELLM);
  t.deepEqual(diff.added.map((p) => p.model), ['acme-big']);
  t.deepEqual(diff.changed.map((c) => [c.after.model, c.before.input, c.after.input]), [['claude-haiku-4-5', 1, 2]]);
  t.is(diff.unchanged, 1, 'gpt-5 matches the seeded price');
  t.deepEqual(await listPrices(db), before, 'a preview changes nothing');

  t.deepEqual(await applyImport(db, LITELLM, admin), { added: 1, changed: 1 });
  t.is((await app.stats('ola')).cost_usd, 2, 'history re-priced at the imported $2/MTok');
  const totals = await rows<{ cost_usd: number }>(db, 'SELECT cost_usd FROM user_totals');
  t.is(Number(totals[0].cost_usd), 2);
  t.is((await priceHistory(db))[0].kind, 'price.import');
});

test('a malformed import file is a clear error and changes nothing', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  const before = await listPrices(db);
  for (const [text, re] of [['{not json', /not valid JSON/], ['[1,2]', /JSON object/], ['{"a": {"mode": "chat"}}', /no model with input_cost_per_token/]] as const) {
    await t.throwsAsync(applyImport(db, text, admin), { message: re });
  }
  t.deepEqual(await listPrices(db), before);
});
