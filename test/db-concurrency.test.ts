// Many write transactions at once (sign-ins, price edits, admin actions) next to ingest:
// each Sequelize transaction has its own SQLite connection, and connections waiting for the
// write lock must not tie up the worker threads the lock holder needs to finish.
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { setPrice } from '../src/pricing/store.ts';

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
