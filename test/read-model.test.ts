// The read model the pages rank from (user_days, user_totals) always agrees with the
// rollups and with `stats`, including after price changes.
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { deletePrice, setPrice } from '../src/pricing/store.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { rows } from './helpers/db.ts';

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
