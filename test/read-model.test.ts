// The read model the pages rank from (user_days, user_totals) always agrees with the
// rollups and with `stats`, including after price changes.
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { deletePrice, setPrice } from '../src/pricing/store.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { rows } from './helpers/db.ts';
import { addUser } from '../src/users/users.ts';
import { storeImported } from '../src/imports/mapping.ts';
import { rollupGroups } from '../src/ledger/read.ts';
import { rebuildIfAsked } from '../src/ledger/recompute.ts';
import { priceTable } from '../src/ledger/prices.ts';
import { migrator } from '../src/db/migrate.ts';

const day = (d: number, h = 12) => Date.UTC(2026, 9, d, h);

test('user_days and user_totals match the events, and follow price edits', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  await app.createUser('rm');
  const a = await app.createToken('rm');
  await postIngest(app.url, a, { events: [
    event({ ts: day(1), model: 'claude-haiku-4-5', input_tokens: 1_000_000, output_tokens: 0, session: 'x' }),
    event({ ts: day(1, 13), model: 'acme-1', input_tokens: 500, output_tokens: 500, session: 'x' }),
    event({ ts: day(2), model: 'claude-haiku-4-5', input_tokens: 0, output_tokens: 1_000_000, session: 'y' }),
    event({ ts: day(3), provider: 'ollama', model: 'llama3', is_local: true, input_tokens: 10, output_tokens: 10 }),
  ] });
  // A later batch adds to day 2 and starts a session there.
  await postIngest(app.url, a, { events: [event({ ts: day(2, 15), model: 'acme-1', input_tokens: 1, output_tokens: 1, session: 'z' })] });

  const days = () => rows<Record<string, number | string>>(db,
    'SELECT day, input_tokens, output_tokens, events, sessions, cost_usd, unpriced_tokens FROM user_days WHERE user_id = ? ORDER BY day', [a.user_id]);
  const totals = async () => (await rows<Record<string, number | string>>(db,
    'SELECT input_tokens, output_tokens, events, sessions, cost_usd, unpriced_tokens, active_days, first_day, last_day FROM user_totals WHERE user_id = ?', [a.user_id]))[0];

  // haiku 4.5: $1 in, $5 out per MTok; acme-1 has no price; llama3 is local (free).
  t.deepEqual(await days(), [
    { day: '2026-10-01', input_tokens: 1_000_500, output_tokens: 500, events: 2, sessions: 1, cost_usd: 1, unpriced_tokens: 1000 },
    { day: '2026-10-02', input_tokens: 1, output_tokens: 1_000_001, events: 2, sessions: 2, cost_usd: 5, unpriced_tokens: 2 },
    { day: '2026-10-03', input_tokens: 10, output_tokens: 10, events: 1, sessions: 0, cost_usd: 0, unpriced_tokens: 0 },
  ]);
  t.deepEqual(await totals(), { input_tokens: 1_000_511, output_tokens: 1_000_511, events: 5, sessions: 3, cost_usd: 6, unpriced_tokens: 1002, active_days: 3, first_day: '2026-10-01', last_day: '2026-10-03' });

  // Pricing acme-1 at $1000/$1000 per MTok re-prices days 1 and 2 only.
  await setPrice(db, { model: 'acme-1', input: 1000, output: 1000 }, CLI_ACTOR);
  const after = await days();
  t.is(after[0].cost_usd, 1 + 1000 * 1000 / 1e6);
  t.is(after[0].unpriced_tokens, 0);
  t.is(after[1].cost_usd, 5 + 2 * 1000 / 1e6);
  t.is((await totals()).cost_usd, 6 + 1 + 0.002);
  t.is((await totals()).unpriced_tokens, 0);
  t.is((await app.stats('rm')).cost_usd, Number((await totals()).cost_usd), 'stats and the read model agree');

  // Removing the haiku price makes those tokens unpriced again.
  await deletePrice(db, 'claude-haiku-4-5', CLI_ACTOR);
  const gone = await totals();
  t.is(gone.unpriced_tokens, 2_000_000);
  t.is(gone.cost_usd, 1.002);
  const s = await app.stats('rm');
  t.deepEqual(s.unknown_models, ['claude-haiku-4-5']);
  t.is(s.cost_usd, 1.002);
});

test('rollup_totals and rollup_corrections: all time and any range give the reconciled groups; a migration down and up refills them', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const s = app.running.services;
  const { db } = s;
  await addUser(db, { login: 'rt', email: 'rt@acme.dev' }, CLI_ACTOR);
  const a = await app.createToken('rt');
  await postIngest(app.url, a, { events: [
    event({ id: 'e1', ts: day(1), model: 'claude-haiku-4-5', input_tokens: 100, output_tokens: 10, source: 'claude-code' }),
    event({ id: 'e2', ts: day(2), model: 'claude-haiku-4-5', input_tokens: 200, output_tokens: 20, source: 'claude-code' }),
    event({ id: 'e3', ts: day(2, 13), provider: 'openai', model: 'gpt-5', input_tokens: 7, output_tokens: 3, source: 'codex' }),
  ] });
  // A duplicate id adds nothing, to the rollups or to the totals.
  await postIngest(app.url, a, { events: [event({ id: 'e2', ts: day(2), model: 'claude-haiku-4-5', input_tokens: 200, output_tokens: 20, source: 'claude-code' })] });
  // Anthropic's own numbers for day 2: they replace the logs' Anthropic tokens of that day.
  await storeImported(s, 'anthropic-admin', [{
    event: { ts: day(2), provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false, input_tokens: 250, output_tokens: 25, cache_read_tokens: 0, cache_write_tokens: 0, id: 'aa:d2', source: 'anthropic-admin' },
    identities: [['email', 'rt@acme.dev']], label: 'rt@acme.dev',
  }]);

  const corrections = () => rows<Record<string, unknown>>(db,
    'SELECT day, source, input_tokens, output_tokens, events FROM rollup_corrections WHERE user_id = ? ORDER BY day, source', [a.user_id]);
  // Day 2: the logs' 200 + 20 are taken off; the import's message is not counted beside the logs' one.
  const expected = [
    { day: '2026-10-02', source: 'anthropic-admin', input_tokens: 0, output_tokens: 0, events: 1 },
    { day: '2026-10-02', source: 'claude-code', input_tokens: 200, output_tokens: 20, events: 0 },
  ];
  t.deepEqual((await corrections()).map(plain), expected);
  const groups = async (from: string | null, to = '2026-10-31') => (await rollupGroups(db, { userIds: [a.user_id], from, to }))
    .map((g) => [g.source, g.input_tokens, g.output_tokens, g.events].join(' ')).sort();
  // By hand: claude-code 100 + 200 − 200 in, 10 + 20 − 20 out, 2 messages; the import 250/25, 1 − 1 messages; codex as sent.
  const allTime = ['anthropic-admin 250 25 0', 'claude-code 100 10 2', 'codex 7 3 1'];
  t.deepEqual(await groups(null), allTime);
  t.deepEqual(await groups('2026-10-01'), allTime, 'a range over every day reads the raw rollups less the corrections: the same');
  t.deepEqual(await groups('2026-10-02', '2026-10-02'), ['anthropic-admin 250 25 0', 'claude-code 0 0 1', 'codex 7 3 1']);
  t.deepEqual(await groups('2026-10-01', '2026-10-01'), ['claude-code 100 10 1']);
  // More logs on the anchored day: the correction grows, the totals stay.
  await postIngest(app.url, a, { events: [event({ id: 'e4', ts: day(2, 14), model: 'claude-haiku-4-5', input_tokens: 50, output_tokens: 5, source: 'claude-code' })] });
  t.deepEqual(await groups(null), ['anthropic-admin 250 25 0', 'claude-code 100 10 3', 'codex 7 3 1']);
  t.like(plain((await corrections())[1]), { input_tokens: 250, output_tokens: 25 });

  // An older database: the migration is undone and redone (raw totals, no corrections) and
  // the ledger fills the corrections at the next start.
  const before = await groups(null);
  const m = migrator(db);
  await m.down({ to: '20261204-40-rollup-totals' });
  await m.up();
  t.deepEqual(await corrections(), []);
  t.deepEqual(await groups(null), ['anthropic-admin 250 25 1', 'claude-code 350 35 3', 'codex 7 3 1'], 'raw sums until the rebuild');
  t.true((await rebuildIfAsked(db, s.calendar(), () => priceTable(db))) > 0);
  t.deepEqual(await groups(null), before);
  t.is((await corrections()).length, 2);
  t.is(await rebuildIfAsked(db, s.calendar(), () => priceTable(db)), 0, 'asked once');
});

const plain = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]));
