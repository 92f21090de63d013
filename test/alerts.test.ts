// Budgets and alerts over real HTTP: loopback receivers stand in for Slack and for a
// webhook consumer. Each (budget, threshold, period) reaches each destination once, across
// restarts; a failing receiver is retried with backoff and every attempt is recorded;
// refusals stop at once and mark the destination failing; a model without a price and a
// failed import are announced; the weekly digest says what DESIGN says.
import test from 'ava';
import { main } from '../src/cli.ts';
import { setPrice } from '../src/pricing/store.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { checkBudgets } from '../src/alerts/budget-check.ts';
import { deliverDue, sendNow } from '../src/alerts/deliver.ts';
import { enqueue } from '../src/alerts/events.ts';
import * as alertRows from '../src/db/repos/alerts.ts';
import { FAILING_AFTER, RETRY_WINDOW_MS } from '../src/alerts/backoff.ts';
import { digestIfDue, weeklyDigest } from '../src/alerts/digest.ts';
import { createJob, runJob } from '../src/imports/run.ts';
import type { Services } from '../src/services.ts';
import { event, postIngest, withApp, type Agent, type TestApp } from './helpers/app.ts';
import { cliEnv } from './helpers/engine.ts';
import { rows, updateUser } from './helpers/db.ts';
import { receiver, type Received } from './helpers/receiver.ts';
import { verify } from './helpers/signature.ts';

/** Checks every second, retries after 1 s, 2 s, …; leases of 2 s (so a send times out after 1 s). */
const FAST = { 'alerts.check_seconds': 1, 'alerts.retry_seconds': 1, 'jobs.lease_seconds': 2, 'server.base_url': 'http://tb.example' };
const SECRET = 'whsec_test_0123456789abcdef';

async function cli(app: TestApp, ...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, await cliEnv(app.dataDir));
  return { code, out, err };
}

/** $10 per million input tokens: an event of 1,000,000 input tokens costs exactly $10. */
async function priced(app: TestApp): Promise<void> {
  await setPrice(app.running.services.db, { model: 'budget-model', input: 10, output: 20 }, CLI_ACTOR);
}

/** One batch of `n` events of 1,000,000 input tokens of budget-model ($10 each). */
async function spend(app: TestApp, agent: Agent, n: number, over: Parameters<typeof event>[0] = {}): Promise<void> {
  const r = await postIngest(app.url, agent, { events: Array.from({ length: n }, () => event({ model: 'budget-model', input_tokens: 1_000_000, output_tokens: 0, ...over })) });
  if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(r.json)}`);
}

/**
 * Waits until no delivery is pending, then proves nothing more can be sent: one more check
 * decides nothing new, one more delivery round sends nothing.
 */
async function settle(s: Services): Promise<void> {
  for (const end = Date.now() + 30_000; ;) {
    const [{ n }] = await rows<{ n: number }>(s.db, "SELECT COUNT(*) AS n FROM alert_deliveries WHERE status = 'pending'");
    if (Number(n) === 0) break;
    if (Date.now() > end) throw new Error(`settle: ${n} deliveries still pending`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if ((await checkBudgets(s)).length) throw new Error('settle: a later check decided a new notification');
  if ((await deliverDue(s)).length) throw new Error('settle: a later round sent something');
}

const thresholdOf = (r: Received) => r.json?.threshold as number;
const budgetHits = (rs: Received[]) => rs.filter((r) => r.json?.type === 'budget.threshold_crossed');

test('each threshold reaches each destination once across restarts; a failing webhook is retried (every attempt logged, signed, same id)', async (t) => {
  // The webhook consumer fails its first two requests (503), then accepts.
  const hook = await receiver((n) => (n <= 2 ? 503 : 200));
  const slack = await receiver();
  t.teardown(() => Promise.all([hook.close(), slack.close()]));
  let app = await withApp(FAST);
  t.teardown(() => app.stop());
  await priced(app);
  const alice = await app.createToken((await app.createUser('alice')).login);
  t.is((await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${hook.url}/tokenboard`, '--secret', SECRET, '--events', 'budget')).code, 0);
  t.is((await cli(app, 'alert', 'add', '--kind', 'slack', '--url', `${slack.url}/services/T1/B2/XYZ`, '--events', 'budget')).code, 0);
  const set = await cli(app, 'budget', 'set', '--user', 'alice', '--period', 'month', '--limit-usd', '100');
  t.is(set.code, 0, set.err.join('\n'));
  t.like(JSON.parse(set.out[0]), { id: 1, scope: 'user', subject: 'alice', period: 'month', limit_usd: 100, limit_tokens: null, thresholds: [50, 80, 100], created: true });

  // 5 × $10 = $50 = 50% of $100. The webhook's first attempt fails; restart before its retry.
  await spend(app, alice, 5);
  await hook.until((r) => r.length >= 1, 'the first (failing) webhook attempt');
  await slack.until((r) => r.length >= 1, 'the Slack message for 50%');
  app = await app.restart();
  await hook.until((r) => r.some((x) => x.n === 3), 'the webhook retried until accepted, by the restarted server');

  // 3 × $10 more: $80 = 80%.
  await spend(app, alice, 3);
  await slack.until((r) => r.length >= 2, 'the Slack message for 80%');
  await hook.until((r) => budgetHits(r).some((x) => thresholdOf(x) === 80), 'the webhook for 80%');
  app = await app.restart();
  // $90: no threshold. Then $100 = 100%.
  await spend(app, alice, 1);
  await app.running.alerts.tick();
  await spend(app, alice, 1);
  await slack.until((r) => r.length >= 3, 'the Slack message for 100%');
  await hook.until((r) => budgetHits(r).some((x) => thresholdOf(x) === 100), 'the webhook for 100%');
  await settle(app.running.services);

  // Slack: three messages, one per threshold, naming who and how much, linking the profile.
  t.is(slack.requests.length, 3);
  t.deepEqual(slack.requests.map((r) => r.path), ['/services/T1/B2/XYZ', '/services/T1/B2/XYZ', '/services/T1/B2/XYZ']);
  // $50, $80 and $100 of $100; the period is the current calendar month ("… from Dec 1, 2026.").
  const texts = slack.requests.map((r) => String(r.json.text).replace(/from [A-Z][a-z]{2} 1, \d{4}\.$/, 'from <month start>.'));
  t.deepEqual(texts, [
    ':warning: *alice* crossed 50% of their monthly AI budget: $50.00 of $100.00 estimated used (50%) in the month from <month start>.',
    ':warning: *alice* crossed 80% of their monthly AI budget: $80.00 of $100.00 estimated used (80%) in the month from <month start>.',
    ':rotating_light: *alice* crossed 100% of their monthly AI budget: $100.00 of $100.00 estimated used (100%) in the month from <month start>.',
  ]);
  for (const r of slack.requests) {
    t.deepEqual(Object.keys(r.json), ['text', 'blocks']);
    t.is(r.json.blocks[0].type, 'section');
    t.is(r.json.blocks[1].elements[0].text, '<http://tb.example/u/alice|Open the profile> · TokenBoard');
    t.is(r.headers['content-type'], 'application/json');
    t.is(r.headers['x-tokenboard-signature'], undefined, 'a Slack destination without a secret signs nothing');
  }

  // The webhook: 50% three times (503, 503, 200) under one id, 80% and 100% once each.
  const hits = budgetHits(hook.requests);
  t.is(hook.requests.length, 5);
  t.is(hits.length, 5);
  t.deepEqual(hits.map(thresholdOf), [50, 50, 50, 80, 100]);
  const ids = hits.map((r) => r.json.id as string);
  t.is(new Set(ids).size, 3);
  t.is(ids[0], ids[1]);
  t.is(ids[1], ids[2]);
  t.is(hits[0].body, hits[2].body, 'a retry sends the same bytes');
  for (const r of hits) {
    t.true(verify(String(r.headers['x-tokenboard-signature']), r.body, SECRET), 'signed with the destination secret');
    t.false(verify(String(r.headers['x-tokenboard-signature']), r.body, 'whsec_some_other_secret_00'));
    t.is(r.headers['x-tokenboard-event-id'], r.json.id);
  }
  // $10 per event: 5, 8, 10 events = $50, $80, $100; 1,000,000 tokens each.
  t.deepEqual(hits.slice(2).map((r) => [r.json.spent_usd, r.json.tokens, r.json.unpriced_tokens]), [[50, 5_000_000, 0], [80, 8_000_000, 0], [100, 10_000_000, 0]]);
  t.deepEqual(Object.keys(hits[2].json), ['type', 'id', 'created', 'budget', 'threshold', 'spent_usd', 'tokens', 'unpriced_tokens', 'url']);
  t.like(hits[2].json.budget, { id: 1, scope: 'user', subject: 'alice', period: 'month', limit_usd: 100, limit_tokens: null });
  t.regex(hits[2].json.budget.period_start, /^\d{4}-\d{2}-01$/);
  t.regex(hits[2].json.created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  t.is(hits[2].json.url, 'http://tb.example/u/alice');

  // Every attempt is recorded: the 50% webhook delivery (destination 1) has three, in order.
  // (The event's id is the same for every destination; Slack's delivery of it is another row.)
  const attempts = await rows<{ http_status: number; outcome: string }>(app.running.services.db,
    `SELECT a.http_status, a.outcome FROM alert_attempts a JOIN alert_deliveries d ON d.id = a.delivery_id
      JOIN alert_events e ON e.id = d.alert_event_id WHERE e.event_id = ? AND d.destination_id = 1 ORDER BY a.id`, [ids[0]]);
  t.deepEqual(attempts.map((a) => [Number(a.http_status), a.outcome]), [[503, 'retry'], [503, 'retry'], [200, 'delivered']]);
  const [{ n }] = await rows<{ n: number }>(app.running.services.db, "SELECT COUNT(*) AS n FROM alert_deliveries WHERE status = 'delivered'");
  t.is(Number(n), 6, '3 thresholds × 2 destinations');

  const list = await cli(app, 'budget', 'list', '--json');
  t.like(JSON.parse(list.out[0])[0], { id: 1, spent_usd: 100, tokens: 10_000_000, percent: 100 });
});

test('a webhook that refuses (4xx) is not retried, is marked failing, and the admin destinations are told', async (t) => {
  const bad = await receiver(() => 410);
  const admins = await receiver();
  t.teardown(() => Promise.all([bad.close(), admins.close()]));
  const app = await withApp(FAST);
  t.teardown(() => app.stop());
  const agent = await app.createToken((await app.createUser('erin')).login);
  await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${bad.url}/gone`, '--events', 'budget');
  await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${admins.url}/ops`, '--events', 'import-failed');
  t.is((await cli(app, 'budget', 'set', '--org', '--period', 'week', '--limit-tokens', '1000', '--thresholds', '50')).code, 0);
  // 400 + 200 tokens = 600 of 1000: past 50%.
  await postIngest(app.url, agent, { events: [event({ input_tokens: 400, output_tokens: 200 })] });
  await admins.until((r) => r.length >= 1, 'the failing-destination alert');
  await settle(app.running.services);
  t.is(bad.requests.length, 1, 'a 410 is not retried');
  t.is(admins.requests.length, 1);
  const told = admins.requests[0].json;
  t.is(told.type, 'alert.destination_failing');
  t.like(told.destination, { id: 1, kind: 'webhook', url: `${bad.url}/gone`, error: 'answered 410: status 410' });
  t.is(told.url, 'http://tb.example/admin/alerts');

  const admin = await app.signIn('root', 'admin');
  let page = await admin.get('/admin/alerts');
  t.regex(page.text, /<tr data-destination="1" class="failing">[\s\S]*?data-status>Failing</);
  t.regex(page.text, /failing since \d{4}-\d\d-\d\d \d\d:\d\d UTC: answered 410: status 410/);
  t.regex(page.text, /<tr data-delivery="1">[\s\S]*?Budget: the whole org crossed 50% \(weekly[\s\S]*?failed, not retried/);
  t.false(page.text.includes(bad.url.replace('http://', '') + '/gone"'), 'no full URL in an attribute');

  // "Retry now" makes one more attempt; still refused, still one failing alert.
  const retried = await admin.post('/admin/alerts/deliveries/1/retry');
  t.is(retried.status, 303);
  page = await admin.get(retried.location!);
  t.regex(page.text, /Retry: not delivered \(answered 410: status 410\)\./);
  await settle(app.running.services);
  t.is(bad.requests.length, 2);
  t.is(admins.requests.length, 1, 'already failing: not announced again');
  const attempts = await rows<{ n: number }>(app.running.services.db, 'SELECT COUNT(*) AS n FROM alert_attempts WHERE delivery_id = 1');
  t.is(Number(attempts[0].n), 2);
});

test('a model without a price is announced once, by the batch that first brings it; a failed import is announced', async (t) => {
  const hook = await receiver();
  const provider = await receiver(() => 401);
  t.teardown(() => Promise.all([hook.close(), provider.close()]));
  const app = await withApp(FAST);
  t.teardown(() => app.stop());
  const agent = await app.createToken((await app.createUser('frank')).login);
  await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${hook.url}/x`, '--events', 'unknown-model,import-failed', '--secret', SECRET);
  for (let i = 0; i < 3; i++) {
    const r = await postIngest(app.url, agent, { events: [event({ model: 'mystery-model-9' }), event({ model: 'my-local-llm', is_local: true }), event()] });
    t.is(r.status, 200);
  }
  const s = app.running.services;
  const job = await createJob(s, 'anthropic', '2026-01-01', '2026-01-02', CLI_ACTOR);
  await t.throwsAsync(runJob(s, job, { key: 'sk-ant-admin-x', baseUrl: provider.url, retryLimit: 0 }), { message: /Anthropic refused the admin key \(401/ });
  await hook.until((r) => r.length >= 2, 'the unknown-model and import-failed alerts');
  await settle(s);
  t.deepEqual(hook.requests.map((r) => r.json.type).sort(), ['import.failed', 'model.unknown']);
  const unknown = hook.ofType('model.unknown')[0].json;
  t.deepEqual(unknown.model, { provider: 'anthropic', model: 'mystery-model-9' }, 'local models are never unpriced; priced ones never unknown');
  const failed = hook.ofType('import.failed')[0].json;
  t.like(failed.import, { job, provider: 'anthropic' });
  t.regex(failed.import.error, /refused the admin key \(401/);
  t.false(JSON.stringify(failed).includes('sk-ant-admin-x'), 'the key is never in an alert');
  t.is(failed.url, 'http://tb.example/admin/imports');
  for (const r of hook.requests) t.true(verify(String(r.headers['x-tokenboard-signature']), r.body, SECRET));
});

test('the weekly digest: last week against the one before, hidden people unnamed; Monday 09:00 once; --send now', async (t) => {
  const hook = await receiver();
  t.teardown(() => hook.close());
  const app = await withApp(FAST);
  t.teardown(() => app.stop());
  const s = app.running.services;
  await priced(app);
  const [alice, bob, carol] = [await app.createToken((await app.createUser('alice')).login), await app.createToken((await app.createUser('bob')).login), await app.createToken((await app.createUser('carol')).login)];
  await app.createUser('dave');
  await updateUser(s.db, 'alice', { teams: ['platform'] });
  await updateUser(s.db, 'bob', { teams: ['platform'], hidden: true });
  const at = (day: string) => Date.parse(`${day}T12:00:00Z`);
  // The week of Monday 2026-06-01 (the digest of Monday 06-08) and the week before it.
  await spend(app, alice, 2, { ts: at('2026-06-02') });
  await postIngest(app.url, alice, { events: [event({ ts: at('2026-06-03'), model: 'mystery-june', input_tokens: 1000, output_tokens: 0 })] });
  await spend(app, bob, 3, { ts: at('2026-06-05') });
  await spend(app, alice, 1, { ts: at('2026-05-27') });
  await spend(app, carol, 2, { ts: at('2026-05-28') });
  t.is((await cli(app, 'budget', 'set', '--team', 'platform', '--period', 'month', '--limit-usd', '60')).code, 0);
  t.is((await cli(app, 'budget', 'set', '--user', 'bob', '--period', 'month', '--limit-usd', '30')).code, 0);
  await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${hook.url}/digest`, '--events', 'digest');

  const monday = Date.parse('2026-06-08T09:05:00Z');
  const d = await weeklyDigest(s, monday);
  t.deepEqual(d.week, { start: '2026-06-01', end: '2026-06-07' });
  t.deepEqual(d.previous, { start: '2026-05-25', end: '2026-05-31' });
  // Active: alice and bob this week, alice and carol the week before; dave never.
  t.deepEqual(d.people, { members: 4, active: 2, active_before: 2, active_change: 0 });
  // alice 2,000,000 + 1,000 (mystery-june) + bob 3,000,000; alice 1,000,000 + carol 2,000,000.
  t.deepEqual(d.tokens, { week: 5_001_000, previous: 3_000_000 });
  // $20 + $30 = $50 against $10 + $20 = $30: +66.7%; partial: mystery-june has no price.
  t.deepEqual(d.spend, { usd: 50, usd_before: 30, partial: true, partial_before: false, change_pct: 66.7 });
  t.deepEqual(d.top_people, [{ login: 'alice', name: null, tokens: 2_001_000, cost_usd: 20 }]);
  t.deepEqual(d.top_movers, [{ login: 'alice', name: null, tokens: 2_001_000, tokens_before: 1_000_000, change: 1_001_000 }]);
  t.deepEqual(d.new_unknown_models, [{ provider: 'anthropic', model: 'mystery-june', tokens: 1000, first_seen: '2026-06-03' }]);
  // June so far for team platform: alice $20 + bob $30 = $50 of $60 = 83%; bob's own budget (100%) would name him.
  t.deepEqual(d.budgets_near_limit, [{ id: 1, scope: 'team', subject: 'platform', period: 'month', percent: 83, spent_usd: 50, limit_usd: 60, tokens: 5_001_000, limit_tokens: null, cost_partial: true }]);
  t.false(JSON.stringify(d).includes('bob'));

  // Scheduled: not before Monday 09:00, then once.
  t.is(await digestIfDue(s, Date.parse('2026-06-08T08:55:00Z')), 'not-yet');
  t.is(await digestIfDue(s, monday), 'sent');
  t.is(await digestIfDue(s, monday + 60_000), 'done');
  t.is(await digestIfDue(s, Date.parse('2026-06-10T10:00:00Z')), 'done', 'later that week: already sent');
  const ofJune = () => hook.ofType('digest.weekly').filter((r) => r.json.digest.week.start === '2026-06-01');
  await hook.until(() => ofJune().length >= 1, 'the June digest');
  await settle(s);
  t.is(ofJune().length, 1);
  t.deepEqual(ofJune()[0].json.digest, JSON.parse(JSON.stringify(d)));
  t.is(ofJune()[0].json.url, 'http://tb.example/team?window=7d');

  // On demand: sent now, to the digest destinations, with an id of its own. (The loop may
  // meanwhile send this real week's scheduled digest too: it has another id.)
  const sent = await cli(app, 'digest', '--send');
  t.is(sent.code, 0, sent.err.join('\n'));
  t.regex(sent.out[0], /^digest: delivery \d+ delivered \(HTTP 200\)$/);
  const [now] = await rows<{ event_id: string }>(s.db, "SELECT event_id FROM alert_events WHERE dedup_key LIKE 'digest:now:%'");
  const got = hook.requests.filter((r) => r.json.id === now.event_id);
  t.is(got.length, 1);
  t.is(got[0].json.type, 'digest.weekly');
});

test('bad input: one clear line and a non-zero exit; nothing stored', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  await app.createUser('gina');
  const fails = async (re: RegExp, ...argv: string[]) => {
    const r = await cli(app, ...argv);
    t.not(r.code, 0, argv.join(' '));
    t.is(r.out.length, 0);
    t.regex(r.err.join('\n'), re, argv.join(' '));
  };
  await fails(/url: must start with http:\/\/ or https:\/\/, not ftp:/, 'alert', 'add', '--kind', 'slack', '--url', 'ftp://hooks.example/x');
  await fails(/kind: slack or webhook, not "email"/, 'alert', 'add', '--kind', 'email', '--url', 'https://x.example');
  await fails(/events: "budgets" is not an event kind/, 'alert', 'add', '--kind', 'webhook', '--url', 'https://x.example', '--events', 'budgets');
  await fails(/thresholds: 0 is outside 1–1000/, 'budget', 'set', '--org', '--period', 'month', '--limit-usd', '5', '--thresholds', '0,50');
  await fails(/thresholds: 1001 is outside 1–1000/, 'budget', 'set', '--org', '--period', 'month', '--limit-usd', '5', '--thresholds', '1001');
  await fails(/limit: must be more than 0 USD, got 0/, 'budget', 'set', '--org', '--period', 'month', '--limit-usd', '0');
  await fails(/limit: must be more than 0 tokens, got -3/, 'budget', 'set', '--org', '--period', 'month', '--limit-tokens', '-3');
  await fails(/team: there is no team "ghosts"/, 'budget', 'set', '--team', 'ghosts', '--period', 'month', '--limit-usd', '5');
  await fails(/user: nobody has the login "nobody"/, 'budget', 'set', '--user', 'nobody', '--period', 'week', '--limit-usd', '5');
  await fails(/give exactly one of --user LOGIN, --team SLUG or --org/, 'budget', 'set', '--org', '--user', 'gina', '--period', 'week', '--limit-usd', '5');
  await fails(/period: week or month, not "year"/, 'budget', 'set', '--org', '--period', 'year', '--limit-usd', '5');
  await fails(/budget: there is no budget #7/, 'budget', 'remove', '7');
  await fails(/destination: there is no alert destination #9/, 'alert', 'test', '9');
  const db = app.running.services.db;
  t.deepEqual(await rows(db, 'SELECT id FROM budgets'), []);
  t.deepEqual(await rows(db, 'SELECT id FROM alert_destinations'), []);

  // `budget set` again for the same subject and period changes that budget.
  const first = JSON.parse((await cli(app, 'budget', 'set', '--user', 'gina', '--period', 'week', '--limit-usd', '5')).out[0]);
  const again = JSON.parse((await cli(app, 'budget', 'set', '--user', 'gina', '--period', 'week', '--limit-tokens', '900', '--thresholds', '90')).out[0]);
  t.is(again.id, first.id);
  t.like(again, { created: false, limit_usd: null, limit_tokens: 900, thresholds: [90] });
  const removed = await cli(app, 'budget', 'remove', String(first.id));
  t.deepEqual(removed.out, [`removed budget ${first.id} (gina, weekly)`]);
});

test('two sends at once in one process (the loop and an admin\'s "retry now" or "send test") send each delivery once', async (t) => {
  const hook = await receiver();
  t.teardown(() => hook.close());
  // The loop stays out of the way (its first round comes after 300 s): the test is the only sender.
  const app = await withApp({ ...FAST, 'alerts.check_seconds': 300 });
  t.teardown(() => app.stop());
  const s = app.running.services;
  const agent = await app.createToken((await app.createUser('ivy')).login);
  await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${hook.url}/h`, '--events', 'budget', '--secret', SECRET);
  await cli(app, 'budget', 'set', '--user', 'ivy', '--period', 'month', '--limit-tokens', '100', '--thresholds', '50,100');
  // 100 + 50 tokens of 100: past 50% and 100%, two notifications.
  await postIngest(app.url, agent, { events: [event({ input_tokens: 100, output_tokens: 50 })] });
  t.is((await checkBudgets(s)).length, 2);
  // Both calls read the two due deliveries before either leases them; the second must not
  // take over what the first (the same process, so the same lease owner) is sending.
  const [one, two] = await Promise.all([deliverDue(s), deliverDue(s)]);
  t.is(one.length + two.length, 2, 'each delivery attempted by one of them');
  await settle(s);
  t.deepEqual(hook.requests.map((r) => r.json.threshold).sort((a, b) => a - b), [50, 100]);
  const attempts = await rows<{ n: number }>(s.db, 'SELECT COUNT(*) AS n FROM alert_attempts');
  t.is(Number(attempts[0].n), 2);
});

test('"send now" when the loop (here or on another replica) took the delivery first: the answer is that send\'s outcome, and it is sent once', async (t) => {
  const hook = await receiver();
  t.teardown(() => hook.close());
  const app = await withApp({ ...FAST, 'alerts.check_seconds': 300 });
  t.teardown(() => app.stop());
  const s = app.running.services;
  await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${hook.url}/digest`, '--events', 'digest');
  const now = Date.now();
  const made = await s.db.transaction((tx) => enqueue(tx, { type: 'digest.weekly', dedup_key: `digest:now:${now}:race`, kind: 'digest', fields: { digest: {}, url: null } }, now));
  const [id] = made!.deliveries;
  // Another replica's loop holds it, and answers while this process waits for it.
  t.true(await alertRows.claim(s.db.sql, id, 'replica-b', now, now + s.leaseMs));
  const answer = sendNow(s, [{ id, attempts: 0 }]);
  await s.db.transaction((tx) => alertRows.recordAttempt(tx, id, 'replica-b', { http_status: 200, error: null, outcome: 'delivered', next_attempt_at: null }, Date.now()));
  t.deepEqual(await answer, [{ delivery: id, outcome: 'delivered', http_status: 200, error: null }]);
  t.is(hook.requests.length, 0, 'this process sent nothing: the other one did');
  // Taken and not answered within one send's timeout: said so, not "nothing was sent".
  const later = await s.db.transaction((tx) => enqueue(tx, { type: 'digest.weekly', dedup_key: `digest:now:${now}:stuck`, kind: 'digest', fields: { digest: {}, url: null } }, Date.now()));
  const [stuck] = later!.deliveries;
  t.true(await alertRows.claim(s.db.sql, stuck, 'replica-b', Date.now(), Date.now() + 60_000));
  t.deepEqual(await sendNow(s, [{ id: stuck, attempts: 0 }]), [{ delivery: stuck, outcome: 'retry', http_status: null, error: 'being sent right now by the alerts loop' }]);
  t.is(hook.requests.length, 0);
});

test('a destination that keeps failing (5xx) is marked failing after 5 attempts in a row, the others subscribed to admin alerts are told (never itself), and it gives up after 24 hours', async (t) => {
  let downAnswers = 503;
  const down = await receiver(() => downAnswers);
  const ops = await receiver();
  const digestOnly = await receiver();
  t.teardown(() => Promise.all([down.close(), ops.close(), digestOnly.close()]));
  // The loop stays out of the way: the test makes each attempt itself.
  const app = await withApp({ ...FAST, 'alerts.check_seconds': 300 });
  t.teardown(() => app.stop());
  const s = app.running.services;
  const agent = await app.createToken((await app.createUser('hal')).login);
  // #1 gets budgets and admin alerts, #2 admin alerts only, #3 digests only.
  await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${down.url}/down`, '--events', 'budget,import-failed', '--secret', SECRET);
  await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${ops.url}/ops`, '--events', 'import-failed', '--secret', SECRET);
  await cli(app, 'alert', 'add', '--kind', 'webhook', '--url', `${digestOnly.url}/d`, '--events', 'digest');
  await cli(app, 'budget', 'set', '--org', '--period', 'week', '--limit-tokens', '1000', '--thresholds', '50');
  // 400 + 200 = 600 of 1,000 tokens: past 50%; only #1 is subscribed to budgets.
  await postIngest(app.url, agent, { events: [event({ input_tokens: 400, output_tokens: 200 })] });
  const [made] = await checkBudgets(s);
  t.is(made.deliveries.length, 1);
  const id = made.deliveries[0];
  const admin = await app.signIn('root', 'admin');
  const destinationRow = async () => /<tr data-destination="1"[\s\S]*?<\/tr>/.exec((await admin.get('/admin/alerts')).text)![0];

  // Attempts 1 to 4 fail: retried, and shown, but not yet "failing".
  for (let i = 1; i < FAILING_AFTER; i++) t.like((await deliverDue(s, { only: [id] }))[0], { outcome: 'retry', http_status: 503 });
  let row = await destinationRow();
  t.regex(row, /^<tr data-destination="1">/);
  t.regex(row, /data-status>OK<\/span> <span class="muted small">4 failed attempts in a row: answered 503: status 503/);
  t.deepEqual(await rows(s.db, "SELECT id FROM alert_events WHERE type = 'alert.destination_failing'"), []);

  // The fifth in a row marks it failing and tells #2 (not #1 itself, not #3).
  t.like((await deliverDue(s, { only: [id] }))[0], { outcome: 'retry', http_status: 503 });
  row = await destinationRow();
  t.regex(row, /^<tr data-destination="1" class="failing">/);
  t.regex(row, /data-status>Failing<\/span> <span class="muted small">failing since \d{4}-\d\d-\d\d \d\d:\d\d UTC: answered 503: status 503/);
  const list = await cli(app, 'alert', 'list');
  t.regex(list.out[1], /^1\twebhook\thttp:\/\/127\.0\.0\.1:\d+\/down\tbudget,import-failed\tfailing: answered 503: status 503$/);
  const told = await rows<{ destination_id: number }>(s.db, `SELECT d.destination_id FROM alert_deliveries d JOIN alert_events e ON e.id = d.alert_event_id WHERE e.type = 'alert.destination_failing'`);
  t.deepEqual(told.map((r) => Number(r.destination_id)), [2]);
  await deliverDue(s);
  await ops.until((r) => r.length >= 1, 'the failing-destination alert');
  t.is(ops.requests.length, 1);
  t.like(ops.requests[0].json, { type: 'alert.destination_failing', url: 'http://tb.example/admin/alerts' });
  t.like(ops.requests[0].json.destination, { id: 1, kind: 'webhook', url: `${down.url}/down`, error: 'answered 503: status 503' });
  t.true(verify(String(ops.requests[0].headers['x-tokenboard-signature']), ops.requests[0].body, SECRET));
  t.deepEqual(down.requests.map((r) => r.json.type), Array(5).fill('budget.threshold_crossed'), 'never told about itself');
  t.is(digestOnly.requests.length, 0);

  // Never for ever: the retry window is 24 hours from the event. With the delivery made
  // 24 h − 5 s ago, the next backoff (32 s after the sixth failure) would end outside it.
  await s.db.transaction((tx) => tx.run('UPDATE alert_deliveries SET created_at = ? WHERE id = ?', [Date.now() - RETRY_WINDOW_MS + 5_000, id]));
  t.like((await deliverDue(s, { only: [id] }))[0], { outcome: 'failed', http_status: 503, error: 'gave up after retrying for 24 hours; last: answered 503: status 503' });
  const [state] = await rows<{ status: string; attempts: number }>(s.db, 'SELECT status, attempts FROM alert_deliveries WHERE id = ?', [id]);
  t.deepEqual([state.status, Number(state.attempts)], ['failed', 6]);
  t.deepEqual(await deliverDue(s), [], 'nothing left to send');
  t.regex(/<tr data-delivery="\d+">[\s\S]*?Budget: the whole org crossed 50%[\s\S]*?<\/tr>/.exec((await admin.get('/admin/alerts')).text)![0], /failed, not retried[\s\S]*?gave up after retrying for 24 hours/);
  t.is(down.requests.length, 6);
  t.is(ops.requests.length, 1, 'already failing: not announced again');

  // Working again: a test that is delivered clears the mark.
  downAnswers = 200;
  t.is((await cli(app, 'alert', 'test', '1')).code, 0);
  row = await destinationRow();
  t.regex(row, /^<tr data-destination="1">/);
  t.regex(row, /data-status>OK<\/span> <span class="muted small">working \(last delivered/);
});
