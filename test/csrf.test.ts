// CSRF: state-changing page requests need the session's token (form field or header);
// the signed ingest and the Bearer-token endpoints are exempt.
import test from 'ava';
import { event, postIngest, withApp } from './helpers/app.ts';

test('POST without the token, with a wrong one, or with another session\'s is refused with 403', async (t) => {
  const app = await withApp();
  const b = await app.signIn('alice');
  const other = await app.signIn('bob');
  for (const csrf of [false, 'nope', other.csrf] as const) {
    const r = await b.post('/logout', {}, { csrf });
    t.is(r.status, 403, String(csrf));
    t.regex(r.text, /did not come from this TokenBoard/);
  }
  t.is((await b.get('/')).status, 200, 'still signed in');
  const json = await fetch(`${app.url}/logout`, { method: 'POST', headers: { cookie: b.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ _csrf: b.csrf }), redirect: 'manual' });
  // Page routes take forms only: a JSON body is refused by its type before a token in it could count.
  t.is(json.status, 415, 'the token is read from urlencoded forms and the header only');
  t.is((await b.get('/')).status, 200, 'still signed in after the JSON attempt');
  t.is((await b.post('/logout')).status, 303, 'the form field works');
  await app.stop();
});

test('the x-csrf-token header (htmx) works, and a sign-in form needs a session token too', async (t) => {
  const app = await withApp();
  const b = await app.signIn('carol');
  const r = await b.htmx('/logout', 'POST');
  t.is(r.status, 303);
  const bare = await fetch(`${app.url}/login/link`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'code=abc', redirect: 'manual' });
  t.is(bare.status, 403, 'no session, no token: login CSRF is refused too');
  await app.stop();
});

test('the signed ingest and the OTLP endpoints need no CSRF token, even with a session cookie', async (t) => {
  const app = await withApp();
  const b = await app.signIn('dave');
  const agent = await app.createToken('dave');
  const r = await postIngest(app.url, agent, { events: [event()] }, { headers: { cookie: b.cookie } });
  t.is(r.status, 200);
  const otlp = await fetch(`${app.url}/v1/metrics`, { method: 'POST', headers: { cookie: b.cookie, 'content-type': 'application/json', authorization: `Bearer ${agent.token}` }, body: JSON.stringify({ resourceMetrics: [] }) });
  t.is(otlp.status, 200);
  await app.stop();
});
