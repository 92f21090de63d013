// Ids in paths and forms: the schema takes 1..2^31-1 (the keys of PostgreSQL INTEGER
// columns). A larger id once reached PostgreSQL and answered 500 ("out of range for type
// integer", found by the fuzz drill on /settings/tokens/9999999999999999/revoke).
import test from 'ava';
import * as v from 'valibot';
import { withApp } from './helpers/app.ts';
import { id, MAX_ID } from '../src/web/schema.ts';

test('id takes 1 .. 2147483647 and refuses what no INTEGER key can be', (t) => {
  t.is(v.parse(id, '1'), 1);
  // 2^31 - 1 = 2147483647
  t.is(v.parse(id, '2147483647'), MAX_ID);
  for (const bad of ['0', '2147483648', '9999999999999999', '99999999999999999', '-1', '1.5', ' 1']) t.false(v.safeParse(id, bad).success, bad);
});

test('a path id past the INTEGER range is a 400, not a 500, on every engine', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const b = await app.signIn('alice');
  for (const big of ['9999999999999999', '2147483648']) {
    const r = await b.post(`/settings/tokens/${big}/revoke`);
    t.is(r.status, 400, big);
  }
  // The largest id the schema takes reaches the handler: no such token.
  t.is((await b.post('/settings/tokens/2147483647/revoke')).status, 404);
});
