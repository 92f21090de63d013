// Settled days (src/ledger/settled.ts): a leaderboard window's days before the live ones are
// summed once and kept until the `settled` version moves. Ingest of today and yesterday
// moves only `usage`; a backfill, a re-pricing or any other usage change moves both. The
// figures with the cache always equal the figures read fresh.
import test, { type ExecutionContext } from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { bumpVersion, readVersions, settledChanges } from '../src/db/repos/versions.ts';
import { facetSums, personSums } from '../src/ledger/read.ts';
import { lastSettledDay, settledSpan } from '../src/ledger/settled.ts';
import { setPrice } from '../src/pricing/store.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { addDays } from '../src/usage/days.ts';
import { dayStartMs } from '../src/usage/zone.ts';

/** A server, its day, a time `n` days ago, and an event of `input` tokens at a time. */
async function started(t: ExecutionContext) {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  const calendar = app.running.services.calendar();
  const today = calendar.dayOf(Date.now());
  const ago = (n: number) => dayStartMs(addDays(today, -n), calendar) + 3_600_000;
  const ev = (ts: number, input: number) => event({ ts, input_tokens: input, output_tokens: 0, source: 'claude-code' });
  return { app, db, today, ago, ev };
}

test('live days are today and yesterday for a writer; a reader keeps one more day fresh', (t) => {
  t.is(settledSpan(['2026-12-04', '2026-12-03'], '2026-12-04'), null);
  t.deepEqual(settledSpan(['2026-12-04', '2026-12-02'], '2026-12-04'), { first: '2026-12-02', last: '2026-12-02' });
  t.is(settledSpan(['2026-12-05'], '2026-12-04'), null, 'a day ahead (a clock ahead of ours) is live');
  t.is(settledSpan([], '2026-12-04'), null);
  t.is(lastSettledDay('2026-12-04'), '2026-12-01');
  t.is(lastSettledDay('2026-03-01'), '2026-02-26');
  t.deepEqual(settledSpan(['2026-12-04', '2026-11-20', '2026-12-02', '2026-11-02', '2026-12-03'], '2026-12-04'), { first: '2026-11-02', last: '2026-12-02' });
  t.is(settledSpan(['2026-12-04', '2026-12-03', '2026-12-05'], '2026-12-04'), null);
});

test('a window reads its settled days from the cache until the settled version moves', async (t) => {
  const { app, db, today, ago, ev } = await started(t);
  await app.createUser('st');
  const a = await app.createToken('st');
  await postIngest(app.url, a, { events: [ev(ago(10), 100), ev(Date.now() - 1000, 1)] });

  const range = { from: addDays(today, -29), to: today };
  // As the leaderboard does: the settled version read first, then the rows.
  const at = async () => ({ today, version: (await readVersions(db.sql)).settled });
  const cached = async () => (await personSums(db, range, await at())).find((r) => r.user_id === a.user_id);
  const fresh = async () => (await personSums(db, range)).find((r) => r.user_id === a.user_id);
  const tool = async (withCache: boolean) => (await facetSums(db, 'tool:claude-code', range, withCache ? await at() : undefined)).find((r) => r.user_id === a.user_id);
  // Costs are doubles: the cache adds two partial sums where SQL adds the rows one by one, so
  // they may differ in the last bits (pages round to cents). Everything else is exact.
  const agree = (a: { cost_usd: number } | undefined, b: { cost_usd: number } | undefined, what: string) => {
    t.truthy(a && b, what);
    t.deepEqual({ ...a, cost_usd: 0 }, { ...b, cost_usd: 0 }, what);
    t.true(Math.abs(a!.cost_usd - b!.cost_usd) <= 1e-12 * Math.max(1, b!.cost_usd), `${what}: cost ${a!.cost_usd} vs ${b!.cost_usd}`);
  };
  const same = async (tokens: number, events: number, activeDays: number, what: string) => {
    const c = await cached();
    t.is(c?.tokens, tokens, what);
    t.is(c?.events, events, what);
    t.is(c?.active_days, activeDays, what);
    agree(c, await fresh(), `${what}: cached and fresh agree`);
    t.is((await tool(true))?.tokens, tokens, `${what}: per tool`);
    agree(await tool(true), await tool(false), `${what}: per tool, cached and fresh agree`);
  };
  await same(101, 2, 2, 'first read');
  t.is((await cached())?.last_day, today);

  // Today's usage moves only the usage version, and is read fresh.
  const v0 = await readVersions(db.sql);
  await postIngest(app.url, a, { events: [ev(Date.now() - 1000, 5)] });
  const v1 = await readVersions(db.sql);
  t.is(v1.usage, v0.usage + 1);
  t.is(v1.settled, v0.settled, 'ingest of today leaves the settled days alone');
  await same(106, 3, 2, 'after today');

  // The settled part really comes from the cache: a change that bypasses the ledger (no
  // version bump) is seen fresh but not through the cache, until a bump.
  await db.sql.run('UPDATE user_days SET input_tokens = input_tokens + 1000 WHERE user_id = ? AND day = ?', [a.user_id, addDays(today, -10)]);
  t.is((await cached())?.tokens, 106);
  t.is((await fresh())?.tokens, 1106);
  await db.sql.run('UPDATE user_days SET input_tokens = input_tokens - 1000 WHERE user_id = ? AND day = ?', [a.user_id, addDays(today, -10)]);

  // Yesterday is live for the writer; the reader reads it fresh too.
  await postIngest(app.url, a, { events: [ev(ago(1), 7)] });
  t.is((await readVersions(db.sql)).settled, v0.settled);
  await same(113, 4, 3, 'after yesterday');

  // A backfill (five days ago) moves the settled version.
  await postIngest(app.url, a, { events: [ev(ago(5), 50)] });
  const v2 = await readVersions(db.sql);
  t.is(v2.settled, v0.settled + 1, 'a batch with an older day moves settled');
  await same(163, 5, 4, 'after a backfill');

  // Re-pricing changes the cost of settled days: it moves settled, and the costs agree.
  const before = (await cached())!.cost_usd;
  await setPrice(db, { model: 'claude-haiku-4-5', input: 2, output: 10 }, CLI_ACTOR);
  t.true((await readVersions(db.sql)).settled > v2.settled);
  const after = await cached();
  t.true(Math.abs(after!.cost_usd - 163 * 2 / 1e6) <= 1e-15, String(after?.cost_usd));
  t.not(after?.cost_usd, before);
  agree(after, await fresh(), 'after re-pricing');
});

test('a backfill re-reads only the person it was about; any other move of settled re-reads everyone', async (t) => {
  const { app, db, today, ago, ev } = await started(t);
  await app.createUser('bf-a');
  await app.createUser('bf-b');
  const a = await app.createToken('bf-a');
  const b = await app.createToken('bf-b');
  await postIngest(app.url, a, { events: [ev(ago(10), 100)] });
  await postIngest(app.url, b, { events: [ev(ago(12), 200)] });

  const range = { from: addDays(today, -29), to: today };
  const at = async () => ({ today, version: (await readVersions(db.sql)).settled });
  const cached = async (id: number) => (await personSums(db, range, await at())).find((r) => r.user_id === id)?.tokens;
  const cachedTool = async (id: number) => (await facetSums(db, 'tool:claude-code', range, await at())).find((r) => r.user_id === id)?.tokens;
  const fresh = async (id: number) => (await personSums(db, range)).find((r) => r.user_id === id)?.tokens;
  t.is(await cached(a.user_id), 100);
  t.is(await cached(b.user_id), 200);
  t.is(await cachedTool(b.user_id), 200);

  // A change to b's settled day that bypasses the ledger: only a re-read of b shows it.
  await db.sql.run('UPDATE user_days SET input_tokens = input_tokens + 1000 WHERE user_id = ? AND day = ?', [b.user_id, addDays(today, -12)]);
  await db.sql.run('UPDATE user_day_facets SET tokens = tokens + 1000 WHERE user_id = ? AND day = ?', [b.user_id, addDays(today, -12)]);

  // a's backfill (two settled days) names a and those days.
  const v0 = (await readVersions(db.sql)).settled;
  await postIngest(app.url, a, { events: [ev(ago(20), 5), ev(ago(4), 7), ev(Date.now() - 1000, 1)] });
  const v1 = (await readVersions(db.sql)).settled;
  t.is(v1, v0 + 1);
  t.deepEqual(await settledChanges(db.sql, v0, v1), [{ version: v1, user_id: a.user_id, first_day: addDays(today, -20), last_day: addDays(today, -4) }]);
  t.is(await cached(a.user_id), 113, 'a is re-read: the backfill and today');
  t.is(await fresh(a.user_id), 113);
  t.is(await cachedTool(a.user_id), 113);
  t.is(await cached(b.user_id), 200, 'b is not re-read: nothing of b changed through the ledger');
  t.is(await cachedTool(b.user_id), 200);

  // A backfill of days before the window changes nothing the window keeps.
  await postIngest(app.url, b, { events: [ev(ago(40), 9)] });
  t.is(await cached(b.user_id), 200);

  // A move of settled that names nobody (a version bump of usage: re-pricing, imports,
  // deletions…) re-reads everyone.
  await db.writer.transaction((tx) => bumpVersion(tx, 'usage'));
  t.is(await cached(b.user_id), 1200);
  t.is(await cachedTool(b.user_id), 1200);
  t.is(await fresh(b.user_id), 1200);
  t.is(await cached(a.user_id), 113);

  // Back to per-person patches after that: b's own backfill re-reads b.
  await postIngest(app.url, b, { events: [ev(ago(6), 3)] });
  t.is(await cached(b.user_id), 1203);
  t.is(await cachedTool(b.user_id), 1203);
});
