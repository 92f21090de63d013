// Rate limits (finding 11): sign-in links that do not work, GitHub callbacks, and ingest
// batches with a wrong signature, per client address and (ingest) per claimed user id;
// each answers 429 with retry-after. On PostgreSQL the count is shared by replicas.
import test from 'ava';
import { Limits, POLICIES } from '../src/limits.ts';
import { ENGINE } from './helpers/engine.ts';
import { event, postIngest, tempDir, withApp, type TestApp } from './helpers/app.ts';

// A frozen clock: a run that straddled the end of a window would start counting again.
function freezeLimits(app: TestApp, at = 1_800_000_000_000): void {
  app.running.services.limits = new Limits(app.running.services.db, () => at);
}

const from = (ip: string) => ({ 'x-forwarded-for': ip });

test('sign-in links: codes that do not work are limited per address; a good link is not counted', async (t) => {
  const app = await withApp({ 'server.trust_proxy': true });
  t.teardown(() => app.stop());
  freezeLimits(app);
  const guesser = app.browser();
  await guesser.get('/login', from('203.0.113.7'));
  // Good links from the same address do not use up the allowance.
  for (let i = 0; i < 3; i++) {
    const person = await app.createUser(`ok${i}`);
    const code = new URL(await app.loginLink(person.login)).searchParams.get('code')!;
    const b = app.browser();
    await b.get('/login', from('203.0.113.7'));
    t.is((await b.post('/login/link', { code }, { headers: from('203.0.113.7') })).status, 303);
  }
  const limit = POLICIES['sign-in-link'].limit;
  for (let i = 0; i < limit; i++) t.is((await guesser.post('/login/link', { code: `wrong-${i}` }, { headers: from('203.0.113.7') })).status, 404);
  const refused = await guesser.post('/login/link', { code: 'wrong-again' }, { headers: from('203.0.113.7') });
  t.is(refused.status, 429);
  t.regex(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  t.regex(refused.text, /too many sign-in attempts/);
  // Now even a good link from that address waits; from another address it works.
  await app.createUser('late');
  const code = new URL(await app.loginLink('late')).searchParams.get('code')!;
  t.is((await guesser.post('/login/link', { code }, { headers: from('203.0.113.7') })).status, 429);
  const other = app.browser();
  await other.get('/login', from('198.51.100.2'));
  t.is((await other.post('/login/link', { code }, { headers: from('198.51.100.2') })).status, 303);
});

test('the address is the last X-Forwarded-For entry (the one the proxy added), and only with server.trust_proxy', async (t) => {
  const app = await withApp({ 'server.trust_proxy': true });
  t.teardown(() => app.stop());
  freezeLimits(app);
  const b = app.browser();
  await b.get('/login');
  const limit = POLICIES['sign-in-link'].limit;
  // A client that writes its own first entry each time is still the same address to us.
  for (let i = 0; i <= limit; i++) await b.post('/login/link', { code: 'x' }, { headers: from(`10.9.${i}.1, 192.0.2.50`) });
  t.is((await b.post('/login/link', { code: 'x' }, { headers: from('10.0.0.99, 192.0.2.50') })).status, 429);
  t.is((await b.post('/login/link', { code: 'x' }, { headers: from('192.0.2.51') })).status, 404);

  const direct = await withApp();
  t.teardown(() => direct.stop());
  freezeLimits(direct);
  const c = direct.browser();
  await c.get('/login');
  // Without trust_proxy the header is ignored: every request is the loopback address.
  for (let i = 0; i < limit; i++) await c.post('/login/link', { code: 'x' }, { headers: from(`10.1.${i}.1`) });
  t.is((await c.post('/login/link', { code: 'x' }, { headers: from('10.2.0.1') })).status, 429);
});

test('the GitHub callback is limited per address, before any call to GitHub', async (t) => {
  const app = await withApp({ 'server.trust_proxy': true });
  t.teardown(() => app.stop());
  freezeLimits(app);
  const limit = POLICIES['github-callback'].limit;
  for (let i = 0; i < limit; i++) {
    const r = await fetch(`${app.url}/auth/github/callback?code=c&state=s`, { headers: from('203.0.113.9'), redirect: 'manual' });
    t.is(r.status, 404, 'GitHub is not configured here: the route says so');
  }
  const r = await fetch(`${app.url}/auth/github/callback?code=c&state=s`, { headers: from('203.0.113.9'), redirect: 'manual' });
  t.is(r.status, 429);
  t.truthy(r.headers.get('retry-after'));
  t.is((await fetch(`${app.url}/auth/github/callback`, { headers: from('203.0.113.10'), redirect: 'manual' })).status, 404);
});

test('ingest: wrong signatures are limited per address and per claimed user id; good batches do not count', async (t) => {
  const app = await withApp({ 'server.trust_proxy': true });
  t.teardown(() => app.stop());
  freezeLimits(app, Date.now());
  const alice = await app.createToken((await app.createUser('alice')).login);
  const bob = await app.createToken((await app.createUser('bob')).login);
  for (let i = 0; i < 40; i++) t.is((await postIngest(app.url, alice, { events: [event()] }, { headers: from('192.0.2.1') })).status, 200);
  const forged = { user_id: alice.user_id, token: 'tbk_not-her-token' };
  const limit = POLICIES.ingest.limit;
  for (let i = 0; i < limit; i++) t.is((await postIngest(app.url, forged, { events: [event()] }, { headers: from('203.0.113.66') })).status, 401);
  const over = await postIngest(app.url, forged, { events: [event()] }, { headers: from('203.0.113.66') });
  t.is(over.status, 429);
  t.regex(over.json.error, /too many batches with a wrong signature/);
  // Per address: another user's good batch from that address waits too.
  t.is((await postIngest(app.url, bob, { events: [event()] }, { headers: from('203.0.113.66') })).status, 429);
  // Per user id: the same claimed id from a fresh address is limited as well (the agent
  // keeps its queue and retries after retry-after).
  const elsewhere = await postIngest(app.url, forged, { events: [event()] }, { headers: from('198.51.100.66') });
  t.is(elsewhere.status, 429);
  t.is((await postIngest(app.url, bob, { events: [event()] }, { headers: from('198.51.100.66') })).status, 200, 'someone else from a fresh address is not');
  t.is((await app.stats('bob')).events, 1);
});

// Replicas only exist on PostgreSQL (one SQLite file has one server), so this runs in the
// PostgreSQL pass of `npm test`.
if (ENGINE === 'postgres') {
  test('replicas share the count: failures spread over two servers add up', async (t) => {
    const dir = tempDir();
    const a = await withApp({ 'server.trust_proxy': true }, dir);
    const b = await withApp({ 'server.trust_proxy': true }, dir);
    t.teardown(async () => { await a.stop(); await b.stop(); });
    freezeLimits(a);
    freezeLimits(b);
    const limit = POLICIES['sign-in-link'].limit;
    const ba = a.browser();
    await ba.get('/login');
    const bb = b.browser();
    await bb.get('/login');
    for (let i = 0; i < limit; i++) {
      const via = i % 2 ? bb : ba;
      t.is((await via.post('/login/link', { code: 'nope' }, { headers: from('203.0.113.77') })).status, 404);
    }
    t.is((await ba.post('/login/link', { code: 'nope' }, { headers: from('203.0.113.77') })).status, 429);
    t.is((await bb.post('/login/link', { code: 'nope' }, { headers: from('203.0.113.77') })).status, 429);
  });
}
