// /admin/alerts over HTTP: for admins only (members and managers 403, anonymous sent to
// sign in), every POST wants the CSRF token, a destination that is not http(s) is refused on
// its field (nothing stored, the secret never echoed), a generated secret is shown once,
// "send test" from the page reaches a loopback receiver signed with that secret, and the
// delivery log shows each attempt's status with a "retry now" that works.
import test from 'ava';
import { addDestination } from '../src/alerts/destinations.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { withApp, type TestApp, type Browser } from './helpers/app.ts';
import { rows } from './helpers/db.ts';
import { receiver, type Receiver } from './helpers/receiver.ts';
import { signedWith } from './helpers/signature.ts';

let app: TestApp;
let admin: Browser;
/** Always 200. */
let hook: Receiver;
/** 503 to its first request, 200 after. */
let flaky: Receiver;

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const destinations = () => rows<{ id: number; kind: string; url_hint: string }>(app.running.services.db, 'SELECT id, kind, url_hint FROM alert_destinations ORDER BY id');
const deliveries = () => rows<{ id: number; status: string }>(app.running.services.db, 'SELECT id, status FROM alert_deliveries ORDER BY id');
const flashOf = (text: string) => /<p class="flash" role="status">([^<]*)<\/p>/.exec(text)?.[1] ?? null;
const logRow = (text: string, id: number) => new RegExp(`<tr data-delivery="${id}">[\\s\\S]*?</tr>`).exec(text)?.[0] ?? '';

interface DestinationForm { kind: string; url: string; secret?: string; events: string[] }

/** The add form as a browser posts it: one `events` field per ticked box. */
function postDestination(b: Browser, f: DestinationForm, csrf = true) {
  const body = new URLSearchParams([['kind', f.kind], ['url', f.url], ['secret', f.secret ?? ''], ...f.events.map((e) => ['events', e])]);
  if (csrf) body.set('_csrf', b.csrf);
  return b.request('POST', '/admin/alerts', body.toString(), { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' });
}

test.before(async () => {
  hook = await receiver();
  flaky = await receiver((n) => (n === 1 ? 503 : 200));
  // The loop stays out of the way (first round after 300 s, retries an hour apart): only
  // the page sends anything here.
  app = await withApp({ 'alerts.check_seconds': 300, 'alerts.retry_seconds': 3600, 'server.base_url': 'http://tb.example' });
  // Destination #1, for the role checks.
  await addDestination(app.running.services, { kind: 'webhook', url: `${hook.url}/one`, secret: 'whsec_page_tests_0000000001', events: 'budget' }, CLI_ACTOR);
  admin = await app.signIn('root', 'admin');
});
test.after.always(async () => {
  await app?.stop();
  await hook?.close();
  await flaky?.close();
});

const GOOD = { kind: 'webhook', url: 'https://hooks.example/in', events: ['budget'] };

test.serial('members and managers get 403 on every alerts route, anonymous visitors are sent to sign in; nothing is sent or stored', async (t) => {
  const before = [await destinations(), await deliveries()];
  const page = await app.browser().get('/admin/alerts');
  t.true(page.status === 302 || page.status === 303, String(page.status));
  t.is(page.location, '/login?next=%2Fadmin%2Falerts');
  for (const role of ['member', 'manager']) {
    const b = await app.signIn(`alerts-${role}`, role);
    const got = await b.get('/admin/alerts');
    t.is(got.status, 403, role);
    t.true(got.text.includes('This page is only for'), role);
    t.false(got.text.includes(hook.url.replace('http://', '')), `${role}: no destination shown`);
    t.is((await postDestination(b, GOOD)).status, 403, `${role}: add`);
    t.is((await b.post('/admin/alerts/1/test')).status, 403, `${role}: send test`);
    t.is((await b.post('/admin/alerts/1/delete')).status, 403, `${role}: delete`);
    t.is((await b.post('/admin/alerts/deliveries/1/retry')).status, 403, `${role}: retry`);
  }
  t.deepEqual([await destinations(), await deliveries()], before);
  t.is(hook.requests.length, 0, 'no test alert went out');
});

test.serial('a POST without the CSRF token is refused (403): nothing added, sent, retried or deleted', async (t) => {
  const before = [await destinations(), await deliveries()];
  await admin.get('/admin/alerts');
  t.is((await postDestination(admin, GOOD, false)).status, 403);
  t.is((await admin.post('/admin/alerts/1/test', {}, { csrf: false })).status, 403);
  t.is((await admin.post('/admin/alerts/1/test', {}, { csrf: 'forged' })).status, 403);
  t.is((await admin.post('/admin/alerts/1/delete', {}, { csrf: false })).status, 403);
  t.is((await admin.post('/admin/alerts/deliveries/1/retry', {}, { csrf: false })).status, 403);
  t.deepEqual([await destinations(), await deliveries()], before);
  t.is(hook.requests.length, 0);
});

test.serial('refused destinations: not http(s), not a URL, credentials in it, no kind of alert ticked, a short secret; the message on its field, nothing stored', async (t) => {
  const before = await destinations();
  const cases: { form: Partial<DestinationForm>; field: string; message: string }[] = [
    { form: { url: 'ftp://files.example/hook' }, field: 'url', message: 'url: must start with http:// or https://, not ftp:' },
    { form: { url: 'javascript:alert(1)' }, field: 'url', message: 'url: must start with http:// or https://, not javascript:' },
    { form: { kind: 'slack', url: 'file:///etc/passwd' }, field: 'url', message: 'url: must start with http:// or https://, not file:' },
    { form: { url: 'hooks.example/in' }, field: 'url', message: 'url: not a URL; give a full http:// or https:// address' },
    { form: { url: 'https://user:pw@hooks.example/in' }, field: 'url', message: 'url: no user name or password in the URL; use the secret for signing' },
    { form: { url: '' }, field: 'url', message: 'url: give the webhook URL' },
    { form: { kind: 'email' }, field: 'kind', message: 'kind: slack or webhook, not "email"' },
    { form: { events: [] }, field: 'events', message: 'events: tick at least one kind of alert' },
    { form: { secret: 'short-secret' }, field: 'secret', message: 'secret: 16-200 characters without spaces, or empty to have one generated' },
  ];
  for (const c of cases) {
    const form = { ...GOOD, secret: 'typed-secret-never-echoed', ...c.form };
    const r = await postDestination(admin, form);
    t.is(r.status, 400, c.message);
    t.true(r.text.includes(`<p class="field-error" id="add-error" role="alert">${html(c.message)}</p>`), c.message);
    const add = /<section class="card" id="add"[\s\S]*?<\/section>/.exec(r.text)![0];
    if (c.field === 'events') t.regex(add, /<fieldset class="plain" aria-describedby="add-error">/);
    else t.regex(add, new RegExp(`name="${c.field}"[^>]*aria-invalid="true" aria-describedby="add-error"`), c.message);
    t.true(add.includes(`name="url" value="${html(form.url)}"`), `${c.message}: the URL as typed`);
    t.false(r.text.includes(form.secret), `${c.message}: the secret is never echoed`);
    t.false(/href="(javascript|file|ftp):/.test(r.text), 'a refused URL is never a link');
  }
  t.deepEqual(await destinations(), before);
});

test.serial('add a webhook from the page: its generated secret is shown once; "send test" reaches the receiver, signed with it, and the log says delivered', async (t) => {
  const made = await postDestination(admin, { kind: 'webhook', url: `${hook.url}/from-page`, events: ['budget', 'digest'] });
  t.is(made.status, 303);
  t.is(made.location, '/admin/alerts#destinations');
  const shown = await admin.get('/admin/alerts');
  t.is(flashOf(shown.text), `Destination added: webhook ${hook.url}/…page. Send it a test below.`);
  const secret = /<pre id="signing-secret"[^>]*><code>(whsec_[A-Za-z0-9_-]+)<\/code><\/pre>/.exec(shown.text)?.[1];
  t.truthy(secret, 'the generated secret is on the page');
  t.regex(shown.text, /<h2 id="secret-title">Signing secret of destination #2<\/h2>/);
  const again = await admin.get('/admin/alerts');
  t.false(again.text.includes(secret!), 'shown only once');
  t.regex(again.text, /<tr data-destination="2">[\s\S]*?<code>http:\/\/127\.0\.0\.1:\d+\/…page<\/code> <span class="pill"[^>]*>signed<\/span>[\s\S]*?budget thresholds, weekly digest/);

  const sent = await admin.post('/admin/alerts/2/test');
  t.is(sent.status, 303);
  const after = await admin.get(sent.location!);
  t.is(flashOf(after.text), 'Test alert: delivered (HTTP 200).');
  const got = hook.requests.filter((r) => r.path === '/from-page');
  t.is(got.length, 1);
  t.is(got[0].json.type, 'alert.test');
  t.true(signedWith(got[0], secret!), 'signed with the secret the page showed');
  t.false(signedWith(got[0], 'whsec_page_tests_0000000001'), 'not with another destination\'s');
  // The newest delivery is the test: its row in the log.
  const [{ id }] = await rows<{ id: number }>(app.running.services.db, 'SELECT MAX(id) AS id FROM alert_deliveries');
  const row = logRow(after.text, Number(id));
  t.regex(row, /Test alert <code class="muted small">evt_[0-9a-f]{24}<\/code>/);
  t.true(row.includes(got[0].json.id), 'the event id the receiver got');
  t.regex(row, /<span class="status status-done" data-status>delivered \d{4}-\d\d-\d\d \d\d:\d\d UTC<\/span><br><span class="muted small">HTTP 200<\/span>/);
  t.regex(row, /<summary>1<\/summary><ol><li>[^<]*: delivered \(HTTP 200\)<\/li><\/ol>/);
  t.false(row.includes('Retry now'), 'a delivered one has no retry');
  t.regex(after.text, /<tr data-destination="2">[\s\S]*?data-status>OK<\/span> <span class="muted small">working \(last delivered/);
});

test.serial('a test to a Slack destination is a Slack message; a failed delivery shows its answer in the log, and "retry now" delivers it (same event, same bytes)', async (t) => {
  t.is((await postDestination(admin, { kind: 'slack', url: `${flaky.url}/services/T1/B2/abcdef`, events: ['budget'] })).status, 303);
  const page = await admin.get('/admin/alerts');
  t.false(page.text.includes('id="secret"'), 'a Slack destination gets no generated secret');
  const [{ id: dest }] = await rows<{ id: number }>(app.running.services.db, 'SELECT MAX(id) AS id FROM alert_destinations');

  // The receiver answers 503 first: retried later (an hour here), shown as such.
  const sent = await admin.post(`/admin/alerts/${dest}/test`);
  let shown = await admin.get(sent.location!);
  t.is(flashOf(shown.text), 'Test alert: not delivered (answered 503: status 503). It is retried with backoff; see the log below.');
  const [{ id }] = await rows<{ id: number }>(app.running.services.db, 'SELECT MAX(id) AS id FROM alert_deliveries');
  let row = logRow(shown.text, Number(id));
  t.regex(row, /<span class="status status-queued" data-status>retrying at \d{4}-\d\d-\d\d \d\d:\d\d UTC<\/span><br><span class="muted small">answered 503: status 503<\/span>/);
  t.regex(row, /<summary>1<\/summary><ol><li>[^<]*: retry \(answered 503: status 503\)<\/li><\/ol>/);
  t.regex(row, new RegExp(`action="/admin/alerts/deliveries/${id}/retry"[\\s\\S]*?Retry now`));
  t.regex(shown.text, new RegExp(`<tr data-destination="${dest}">[\\s\\S]*?data-status>OK</span> <span class="muted small">1 failed attempt in a row: answered 503: status 503`));

  const retried = await admin.post(`/admin/alerts/deliveries/${id}/retry`);
  t.is(retried.status, 303);
  t.is(retried.location, '/admin/alerts#log');
  shown = await admin.get('/admin/alerts');
  t.is(flashOf(shown.text), 'Retry: delivered (HTTP 200).');
  row = logRow(shown.text, Number(id));
  t.regex(row, /data-status>delivered [^<]*<\/span><br><span class="muted small">HTTP 200<\/span>/);
  t.regex(row, /<summary>2<\/summary><ol><li>[^<]*: retry \(answered 503: status 503\)<\/li><li>[^<]*: delivered \(HTTP 200\)<\/li><\/ol>/);
  t.false(row.includes('Retry now'));
  t.is(flaky.requests.length, 2);
  t.is(flaky.requests[1].body, flaky.requests[0].body, 'the same message');
  t.is(flaky.requests[1].headers['x-tokenboard-event-id'], flaky.requests[0].headers['x-tokenboard-event-id'], 'the same event');
  t.deepEqual(Object.keys(flaky.requests[0].json), ['text', 'blocks']);
  t.is(flaky.requests[0].json.text, ':white_check_mark: Test alert from TokenBoard: this destination works.');
  t.is(flaky.requests[0].path, '/services/T1/B2/abcdef');
  t.is((await admin.post('/admin/alerts/deliveries/999/retry')).status, 404, 'no such delivery');
});

test.serial('delete a destination: gone with its deliveries', async (t) => {
  const before = await destinations();
  const r = await admin.post('/admin/alerts/2/delete');
  t.is(r.status, 303);
  const page = await admin.get(r.location!);
  t.is(flashOf(page.text), 'Destination deleted, with its deliveries.');
  t.false(page.text.includes('data-destination="2"'));
  t.deepEqual((await destinations()).map((d) => d.id), before.map((d) => d.id).filter((x) => x !== 2));
  t.deepEqual(await rows(app.running.services.db, 'SELECT id FROM alert_deliveries WHERE destination_id = 2'), []);
  t.is((await admin.post('/admin/alerts/2/delete')).status, 404);
});
