// The ledger's per-event message count (imported rows only: a Copilot person-day stands for
// many messages without tokens) and vendor-billed cents: carried into the rollups, the read
// model, the facets and `stats`; a day without messages is not an active day; a duplicate
// adds nothing; an agent cannot send either field.
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { storeBatch, type LedgerEvent } from '../src/ledger/write.ts';
import { priceTableAt } from '../src/ledger/prices.ts';
import { rows } from './helpers/db.ts';

const noon = (day: string) => Date.parse(`${day}T12:00:00Z`);
const base = { provider: 'github-copilot', is_local: false, cache_read_tokens: 0, cache_write_tokens: 0, source: 'github-copilot' };

test('messages per event and billed cents flow into every derived number, once', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const s = app.running.services;
  const { id } = await app.createUser('mo');
  const store = (events: LedgerEvent[]) => storeBatch(s.db, { userId: id, tokenId: null, replay: null, now: Date.now(), minTs: 0 }, events, s.calendar(), (tx, v) => priceTableAt(s.db, tx, v));

  await store([
    { ...base, ts: noon('2026-10-01'), model: 'copilot', input_tokens: 0, output_tokens: 0, messages: 12, id: 'gc:1' },
    { ...base, ts: noon('2026-10-01'), model: 'copilot-cli', input_tokens: 3800, output_tokens: 5000, messages: 3, id: 'gc:2' },
    // Tokens without a message (a vendor record with a zero count) do not make an active day.
    { ...base, ts: noon('2026-10-02'), model: 'copilot-cli', input_tokens: 7, output_tokens: 0, messages: 0, id: 'gc:3' },
    { ts: noon('2026-10-01'), provider: 'cursor', model: 'gpt-5', is_local: false, input_tokens: 1000, output_tokens: 200, cache_read_tokens: 3000, cache_write_tokens: 0, source: 'cursor-admin', billed_cents: 1.5, id: 'cu:1' },
  ]);
  // Later, day 2 gets its first messages: now it is active, and counted once.
  await store([{ ...base, ts: noon('2026-10-02'), model: 'copilot', input_tokens: 0, output_tokens: 0, messages: 5, id: 'gc:4' }]);
  // The same events again: duplicates, nothing added (the billed cents neither).
  const again = await store([{ ts: noon('2026-10-01'), provider: 'cursor', model: 'gpt-5', is_local: false, input_tokens: 1000, output_tokens: 200, cache_read_tokens: 3000, cache_write_tokens: 0, source: 'cursor-admin', billed_cents: 1.5, id: 'cu:1' }]);
  t.deepEqual(again, { accepted: 0, duplicates: 1 });

  // Day 1: 12 + 3 Copilot messages + 1 Cursor request = 16; day 2: 0 + 5.
  t.deepEqual(await rows(s.db, 'SELECT day, events FROM user_days WHERE user_id = ? ORDER BY day', [id]), [{ day: '2026-10-01', events: 16 }, { day: '2026-10-02', events: 5 }]);
  const [tot] = await rows<{ events: number; active_days: number; input_tokens: number }>(s.db, 'SELECT events, active_days, input_tokens FROM user_totals WHERE user_id = ?', [id]);
  t.deepEqual({ ...tot }, { events: 21, active_days: 2, input_tokens: 3800 + 7 + 1000 });
  t.deepEqual(await rows(s.db, "SELECT day, events FROM user_day_facets WHERE user_id = ? AND facet = 'tool:github-copilot' ORDER BY day", [id]),
    [{ day: '2026-10-01', events: 15 }, { day: '2026-10-02', events: 5 }]);
  t.deepEqual(await rows(s.db, "SELECT facet, events, active_days FROM user_facet_totals WHERE user_id = ? AND facet IN ('tool:github-copilot', 'tool:cursor-admin') ORDER BY facet", [id]),
    [{ facet: 'tool:cursor-admin', events: 1, active_days: 1 }, { facet: 'tool:github-copilot', events: 20, active_days: 2 }]);
  t.deepEqual(await rows(s.db, 'SELECT model, SUM(events) AS events FROM daily_rollups WHERE user_id = ? GROUP BY model ORDER BY model', [id]),
    [{ model: 'copilot', events: 17 }, { model: 'copilot-cli', events: 3 }, { model: 'gpt-5', events: 1 }]);
  t.deepEqual(await rows(s.db, 'SELECT source, day, cents, events FROM vendor_charges WHERE user_id = ?', [id]), [{ source: 'cursor-admin', day: '2026-10-01', cents: 1.5, events: 1 }]);

  const st = await app.stats('mo');
  t.is(st.events, 21);
  t.is(st.active_days, 2);
  // gpt-5: 1000 × $1.25 + 200 × $10 + 3000 × $0.125 per MTok; Copilot's models have no price,
  // and only copilot-cli has tokens, so only it is an unknown model.
  t.deepEqual(st.unknown_models, ['copilot-cli']);
  t.is(st.models.find((m) => m.model === 'gpt-5')!.cost_usd, (1000 * 1.25 + 200 * 10 + 3000 * 0.125) / 1e6);
  t.is(st.models.find((m) => m.model === 'copilot')!.events, 17);
});

test('an agent cannot send a message count or billed cents', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  await app.createUser('ag');
  const a = await app.createToken('ag');
  for (const extra of [{ messages: 50 }, { billed_cents: 1 }]) {
    const r = await postIngest(app.url, a, { events: [{ ...event(), ...extra }] });
    t.is(r.status, 400);
    t.regex(r.json.error, /events\[0\]/);
  }
  t.is((await app.stats('ag')).events, 0);
});
