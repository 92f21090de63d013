// Many write transactions at once (sign-ins, price edits, admin actions) next to ingest:
// each Sequelize transaction has its own SQLite connection, and connections waiting for the
// write lock must not tie up the worker threads the lock holder needs to finish.
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { setPrice } from '../src/pricing/store.ts';
import { pruneLoginLinks } from '../src/auth/login-links.ts';
import { NestedWriteError } from '../src/db/writer.ts';
import { ENGINE } from './helpers/engine.ts';

test('20 concurrent price edits and ingests all complete', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  await app.createUser('cc');
  const cc = await app.createToken('cc');
  const { db } = app.running.services;
  const started = Date.now();
  const work = [
    ...Array.from({ length: 12 }, (_, i) => setPrice(db, { model: `conc-${i}`, input: i, output: i }, { userId: null, login: 'test' })),
    ...Array.from({ length: 8 }, () => postIngest(app.url, cc, { events: [event()] }).then((r) => t.is(r.status, 200))),
  ];
  await Promise.all(work);
  t.is((await app.stats('cc')).events, 8);
  // Not a timing assertion on speed: a stall waits out SQLite's 10 s busy timeout at least once.
  t.log(`took ${Date.now() - started} ms`);
});

// The kill drill's finding: right after a restart every agent resends, the writer runs
// group after group back to back, and a write on another connection (the first
// housekeeping's DELETE of old sign-in links, a session save) waited in SQLite's sleeping
// busy handler until the 10 s timeout and failed with SQLITE_BUSY. Every write of the
// process now queues on the writer, so it gets its turn.
test('writes outside ingest complete while the writer is busy back to back', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  let busy = true;
  let groups = 0;
  // Four chains of write transactions, each holding the lock a few milliseconds.
  const chain = async () => {
    while (busy) {
      await db.writer.transaction(async (tx) => {
        await tx.run("UPDATE settings SET value = value WHERE key = 'nothing-here'");
        await new Promise((r) => setTimeout(r, 3));
      });
      groups++;
    }
  };
  const chains = Array.from({ length: 4 }, chain);
  try {
    await new Promise((r) => setTimeout(r, 50));
    await pruneLoginLinks(db);
    const who = await app.createUser('busy-writer');
    t.is(who.login, 'busy-writer');
  } finally {
    busy = false;
    await Promise.all(chains);
  }
  t.true(groups > 4, 'the writer really was busy meanwhile');
});

test('a write transaction awaited inside another one fails at once on SQLite (it would wait for itself), runs on PostgreSQL', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  const nested = db.writer.transaction(async () => db.sql.run("UPDATE settings SET value = value WHERE key = 'nothing-here'"));
  if (ENGINE === 'sqlite') await t.throwsAsync(nested, { instanceOf: NestedWriteError });
  else t.is(await nested, 0);
  // The writer goes on with the next transaction.
  t.is(await db.sql.run("UPDATE settings SET value = value WHERE key = 'nothing-here'"), 0);
});

// Group commit (SQLite): transactions queued while one runs go into the next group, each in
// its own savepoint. One that fails rolls back alone: those before and after it in the
// group are stored and resolve; it rejects with its own error. (PostgreSQL: one transaction each.)
test('in one group of queued write transactions, a failing one rolls back alone', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  const at = new Date();
  const put = (key: string, fail = false) => db.writer.transaction(async (tx) => {
    await tx.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)', [key, 'v', at]);
    if (fail) throw new Error(`job ${key} failed`);
    return key;
  });
  // Held open so the next five queue up behind it and run as one group.
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const first = db.writer.transaction(async (tx) => { await tx.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)', ['g-0', 'v', at]); await gate; });
  const queued = [put('g-1'), put('g-2', true), put('g-3'), put('g-4', true), put('g-5')];
  release();
  await first;
  const outcomes = await Promise.allSettled(queued);
  t.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
  t.is((outcomes[1] as PromiseRejectedResult).reason.message, 'job g-2 failed');
  t.is((outcomes[3] as PromiseRejectedResult).reason.message, 'job g-4 failed');
  const keys = (await db.sql.all<{ key: string }>("SELECT key FROM settings WHERE key LIKE 'g-%' ORDER BY key")).map((r) => r.key);
  t.deepEqual(keys, ['g-0', 'g-1', 'g-3', 'g-5']);
  // The writer goes on: a later transaction commits.
  t.is(await put('g-6'), 'g-6');
});
