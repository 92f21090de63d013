// Sharing: /u/:login/badge.svg and card.svg are readable without a session only after
// their owner opted in on /settings; otherwise (or for an unknown login) the same 404.
import test from 'ava';
import { withApp, postIngest, event, type TestApp } from './helpers/app.ts';
import { updateUser } from './helpers/db.ts';

let app: TestApp;
test.before(async () => {
  app = await withApp({ 'org.name': 'Acme & Co' });
  await app.createUser('bo');
  await updateUser(app.running.services.db, 'bo', { name: '<b>Bo</b>' });
  const bo = await app.createToken('bo');
  // 1,234,567 tokens in the last 30 days.
  await postIngest(app.url, bo, { events: [
    event({ input_tokens: 1_000_000, output_tokens: 200_000 }),
    event({ model: 'gpt-5', provider: 'openai', input_tokens: 34_567, output_tokens: 0 }),
  ] });
});
test.after.always(async () => { await app?.stop(); });

test('private by default: 404 without a session, served to signed-in colleagues', async (t) => {
  for (const path of ['/u/bo/badge.svg', '/u/bo/card.svg', '/u/nobody/badge.svg']) {
    const res = await fetch(`${app.url}${path}`);
    t.is(res.status, 404, path);
    t.false((await res.text()).includes('1.2M'));
  }
  const b = await app.signIn('colleague');
  const badge = await b.get('/u/bo/badge.svg');
  t.is(badge.status, 200);
  t.regex(badge.headers.get('content-type')!, /^image\/svg\+xml/);
  t.regex(badge.text, />AI tokens 30d<\/text>/);
  t.regex(badge.text, />1\.2M<\/text>/);
});

test('after opting in: public badge and card, escaped, any window', async (t) => {
  const bo = await app.signIn('bo');
  t.is((await bo.post('/settings/preferences', { public_badge: 'on' })).status, 303);
  const badge = await fetch(`${app.url}/u/bo/badge.svg`);
  t.is(badge.status, 200);
  t.regex(badge.headers.get('content-type')!, /^image\/svg\+xml/);
  const svg = await badge.text();
  t.regex(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.regex(svg, /aria-label="AI tokens 30d: 1\.2M"/);
  const all = await (await fetch(`${app.url}/u/bo/badge.svg?window=all`)).text();
  t.regex(all, />AI tokens all time<\/text>/);
  const card = await (await fetch(`${app.url}/u/bo/card.svg`)).text();
  t.false(card.includes('<b>'));
  t.true(card.includes('&lt;b&gt;Bo&lt;/b&gt;'));
  t.true(card.includes('Acme &amp; Co'));
  t.regex(card, />1\.2M<\/text>/);
  t.regex(card, /Top models: claude-haiku-4-5 · gpt-5/);
  t.is((await fetch(`${app.url}/u/bo/badge.svg?window=1y`)).status, 400);
  // Opting out makes it private again.
  await bo.post('/settings/preferences', {});
  t.is((await fetch(`${app.url}/u/bo/badge.svg`)).status, 404);
});
