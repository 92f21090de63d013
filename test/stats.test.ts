// Totals and cost read back from what ingest stored: `stats` equals the sum of accepted
// events, per model too; prices come from the current table.
import test from 'ava';
import { withApp, postIngest, event, type TestApp, type Agent } from './helpers/app.ts';
import { setPrice } from '../src/pricing/store.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { rows } from './helpers/db.ts';

let app: TestApp;
test.before(async () => { app = await withApp({ 'org.timezone': 'America/New_York' }); });
test.after.always(async () => { await app?.stop(); });

async function user(login: string): Promise<Agent> {
  await app.createUser(login);
  return app.createToken(login);
}

test('stats totals equal the sum of accepted events, per model too', async (t) => {
  const a = await user('sum1');
  const events = [
    event({ model: 'claude-haiku-4-5', input_tokens: 100, output_tokens: 10, cache_read_tokens: 1000, cache_write_tokens: 50, session: 's1' }),
    event({ model: 'claude-haiku-4-5', input_tokens: 200, output_tokens: 20, cache_read_tokens: 2000, cache_write_tokens: 0, session: 's1' }),
    event({ provider: 'openai', model: 'gpt-5', input_tokens: 300, output_tokens: 30, session: 's2' }),
  ];
  t.is((await postIngest(app.url, a, { events })).json.accepted, 3);
  // A duplicate resend changes nothing.
  t.is((await postIngest(app.url, a, { events: [events[0]] })).json.duplicates, 1);
  const s = await app.stats('sum1');
  t.is(s.input_tokens, 100 + 200 + 300);
  t.is(s.output_tokens, 10 + 20 + 30);
  t.is(s.cache_read_tokens, 1000 + 2000);
  t.is(s.cache_write_tokens, 50);
  t.is(s.total_tokens, 600 + 60 + 3000 + 50);
  t.is(s.events, 3);
  t.is(s.sessions, 2);
  t.is(s.active_days, 1);
  const haiku = s.models.find((m) => m.model === 'claude-haiku-4-5')!;
  t.deepEqual({ ...haiku, cost_usd: undefined }, { provider: 'anthropic', model: 'claude-haiku-4-5', input_tokens: 300, output_tokens: 30, cache_read_tokens: 3000, cache_write_tokens: 50, events: 2, cost_usd: undefined });
  // haiku 4.5 $1 in, $5 out, $0.10 cache read, $1.25 cache write per MTok (uncached input only).
  t.is(haiku.cost_usd, (300 * 1 + 30 * 5 + 3000 * 0.1 + 50 * 1.25) / 1e6);
  // gpt-5: $1.25 in, $10 out.
  const gpt = s.models.find((m) => m.model === 'gpt-5')!;
  t.is(gpt.cost_usd, (300 * 1.25 + 30 * 10) / 1e6);
  t.is(s.cost_usd, Math.round((haiku.cost_usd! + gpt.cost_usd!) * 1e10) / 1e10);
  t.deepEqual(s.unknown_models, []);
});

test('an unknown model is listed with its tokens and a null cost; local models cost 0', async (t) => {
  const a = await user('unk1');
  await postIngest(app.url, a, { events: [
    event({ provider: 'acme', model: 'acme-coder-9', input_tokens: 1234, output_tokens: 56 }),
    event({ provider: 'ollama', model: 'llama3.1:8b', is_local: true, input_tokens: 999, output_tokens: 9 }),
  ] });
  const s = await app.stats('unk1');
  t.deepEqual(s.unknown_models, ['acme-coder-9']);
  const acme = s.models.find((m) => m.model === 'acme-coder-9')!;
  t.is(acme.input_tokens, 1234);
  t.is(acme.output_tokens, 56);
  t.is(acme.cost_usd, null);
  t.is(s.models.find((m) => m.model === 'llama3.1:8b')!.cost_usd, 0);
  t.is(s.cost_usd, 0, 'the priced part (local, free) is 0; the unknown model is listed, not counted as 0');
});

test('only unknown models → total cost null, never 0', async (t) => {
  const a = await user('unk2');
  await postIngest(app.url, a, { events: [event({ model: 'mystery-1', input_tokens: 5, output_tokens: 5 })] });
  const s = await app.stats('unk2');
  t.is(s.cost_usd, null);
  t.deepEqual(s.unknown_models, ['mystery-1']);
});

test('a price edit re-prices history, and pricing an unknown model makes it known', async (t) => {
  // Its own server: this test edits a price the other tests rely on.
  const own = await withApp();
  t.teardown(() => own.stop());
  await own.createUser('reprice');
  const a = await own.createToken('reprice');
  await postIngest(own.url, a, { events: [
    event({ provider: 'acme', model: 'acme-9', input_tokens: 2_000_000, output_tokens: 0 }),
    event({ model: 'claude-haiku-4-5', input_tokens: 1_000_000, output_tokens: 0 }),
  ] });
  let s = await own.stats('reprice');
  t.is(s.cost_usd, 1, '1M haiku input at $1');
  t.deepEqual(s.unknown_models, ['acme-9']);
  await setPrice(own.running.services.db, { model: 'acme-9', input: 0.5, output: 2 }, CLI_ACTOR);
  await setPrice(own.running.services.db, { model: 'claude-haiku-4-5', input: 3, output: 15 }, CLI_ACTOR);
  s = await own.stats('reprice');
  t.deepEqual(s.unknown_models, []);
  t.is(s.models.find((m) => m.model === 'acme-9')!.cost_usd, 1, '2M at $0.50');
  t.is(s.cost_usd, 1 + 3);
});

test('a long-context request is billed at the higher tier, decided per request', async (t) => {
  const a = await user('longctx');
  await postIngest(app.url, a, { events: [
    // 250k prompt: above sonnet 4.5's 200k threshold ($6 in, $22.5 out).
    event({ model: 'claude-sonnet-4-5', input_tokens: 250_000, output_tokens: 1000 }),
    // Two small requests whose sum passes 200k still bill at the base rate ($3 in, $15 out).
    event({ model: 'claude-sonnet-4-5', input_tokens: 150_000, output_tokens: 1000 }),
    event({ model: 'claude-sonnet-4-5', input_tokens: 150_000, output_tokens: 1000 }),
  ] });
  const s = await app.stats('longctx');
  const expected = (250_000 * 6 + 1000 * 22.5) / 1e6 + (300_000 * 3 + 2000 * 15) / 1e6;
  t.is(s.cost_usd, Math.round(expected * 1e10) / 1e10);
  t.is(s.models.length, 1, 'tiers fold into one model row');
  t.is(s.models[0].input_tokens, 550_000);
});

test('active days are calendar days in the org time zone', async (t) => {
  const a = await user('tzuser');
  // 2026-03-10 03:30 UTC is still 2026-03-09 in New York (UTC-4 after DST began on 03-08).
  const lateEvening = Date.UTC(2026, 2, 10, 3, 30);
  const sameNyDay = Date.UTC(2026, 2, 9, 14, 0);
  const nextNyDay = Date.UTC(2026, 2, 10, 4, 30);
  await postIngest(app.url, a, { events: [event({ ts: lateEvening }), event({ ts: sameNyDay }), event({ ts: nextNyDay })] });
  const s = await app.stats('tzuser');
  t.is(s.active_days, 2);
  const days = await rows(app.running.services.db, "SELECT DISTINCT day FROM daily_rollups r JOIN users u ON u.id = r.user_id WHERE u.login = 'tzuser' ORDER BY day");
  t.deepEqual(days, [{ day: '2026-03-09' }, { day: '2026-03-10' }]);
});

test('skills are counted per day and name', async (t) => {
  const a = await user('skilled');
  await postIngest(app.url, a, { events: [event({ skills: ['pdf', 'xlsx'] }), event({ skills: ['pdf'] })] });
  const found = await rows(app.running.services.db, "SELECT s.name, s.count FROM skills s JOIN users u ON u.id = s.user_id WHERE u.login = 'skilled' ORDER BY s.name");
  t.deepEqual(found, [{ name: 'pdf', count: 2 }, { name: 'xlsx', count: 1 }]);
});
