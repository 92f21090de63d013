// Exactly once when processes compete or die.
//  - Two `tokenboard serve` processes on one PostgreSQL database, usage sent to both, their
//    own alert loops doing the work: each (budget, threshold, period) reaches each
//    destination once, and the weekly digest once.
//  - Two servers in one process racing the check and the delivery as fast as they can, the
//    check's lease bypassed: the notification's unique key alone decides.
//  - A server killed between sending and recording: another server sends the delivery again
//    with the same event id (what receivers deduplicate by), and nothing else twice.
// Replicas share a PostgreSQL database; a SQLite file belongs to one server, so the first
// two run in the PostgreSQL pass of `npm test` and are listed as skipped in the SQLite pass.
import test from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { main } from '../src/cli.ts';
import { ROOT } from '../src/paths.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createServices, type Services } from '../src/services.ts';
import { checkBudgets } from '../src/alerts/budget-check.ts';
import { deliverDue } from '../src/alerts/deliver.ts';
import { digestDueAt, digestIfDue, digestWeeks } from '../src/alerts/digest.ts';
import { addDays, DayCalendar } from '../src/usage/days.ts';
import { dayStartMs } from '../src/usage/zone.ts';
import { freePort } from '../scripts/pg-cluster.ts';
import { event, postIngest, tempDir, withApp, type Agent } from './helpers/app.ts';
import { cliEnv, ENGINE, freshPostgres } from './helpers/engine.ts';
import { rows } from './helpers/db.ts';
import { receiver, type Received } from './helpers/receiver.ts';
import { startReplica, type Replica } from './helpers/replica.ts';
import { signedWith } from './helpers/signature.ts';

const FAST = { 'alerts.check_seconds': 1, 'alerts.retry_seconds': 1, 'jobs.lease_seconds': 2, 'server.base_url': 'http://tb.example' };
const SECRET = 'whsec_replicas_0123456789';
const TEN = '10,20,30,40,50,60,70,80,90,100';
const onPostgres = ENGINE === 'postgres' ? test.serial : test.skip;
const PG_ONLY = '(PostgreSQL only: replicas share a PostgreSQL database, a SQLite file belongs to one server)';

async function cli(env: Record<string, string>, ...argv: string[]): Promise<string[]> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  if (code !== 0) throw new Error(`tokenboard ${argv.join(' ')}: ${err.join('\n')}`);
  return out;
}

async function noPending(s: Services): Promise<void> {
  for (const end = Date.now() + 60_000; ;) {
    const [{ n }] = await rows<{ n: number }>(s.db, "SELECT COUNT(*) AS n FROM alert_deliveries WHERE status = 'pending'");
    if (Number(n) === 0) return;
    if (Date.now() > end) throw new Error(`${n} deliveries still pending`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * An org time zone in which this week's digest (Monday 09:00) is already due and the week
 * does not end during the test, so the replicas send exactly this week's digest now.
 * UTC rules out Sunday 23:00 to Monday 10:00 UTC; Kiritimati (UTC+14) rules out Sunday
 * 09:00 to 20:00 UTC: one of the two always fits.
 */
function zoneWithDigestDue(now: number): string {
  for (const zone of ['UTC', 'Pacific/Kiritimati']) {
    const cal = new DayCalendar(zone);
    const today = cal.dayOf(now);
    const nextMonday = dayStartMs(addDays(digestWeeks(today).monday, 7), cal);
    if (now >= digestDueAt(today, cal) + 3_600_000 && now < nextMonday - 3_600_000) return zone;
  }
  throw new Error('no zone found (cannot happen: see the comment)');
}

const budgetHits = (rs: Received[]) => rs.filter((r) => r.headers['x-tokenboard-event'] === 'budget.threshold_crossed');
const digests = (rs: Received[]) => rs.filter((r) => r.headers['x-tokenboard-event'] === 'digest.weekly');

onPostgres(`two replica processes, usage sent to both: each (budget, threshold, period) reaches each destination once, the weekly digest once ${PG_ONLY}`, async (t) => {
  t.timeout(180_000);
  const hook = await receiver();
  const slack = await receiver();
  t.teardown(() => Promise.all([hook.close(), slack.close()]));
  const zone = zoneWithDigestDue(Date.now());
  const env = {
    TOKENBOARD_DATABASE_URL: await freshPostgres(), TOKENBOARD_SERVER_SECRET_KEY: randomBytes(32).toString('hex'),
    TOKENBOARD_SERVER_BASE_URL: 'http://tb.example', TOKENBOARD_ORG_TIMEZONE: zone, TOKENBOARD_IMPORTS_SYNC_DAYS: '0',
    TOKENBOARD_ALERTS_CHECK_SECONDS: '1', TOKENBOARD_ALERTS_RETRY_SECONDS: '1', TOKENBOARD_JOBS_LEASE_SECONDS: '2',
  };
  const own = { ...env, TOKENBOARD_SERVER_DATA_DIR: tempDir() };

  // Five people with a budget of 1,000 tokens each and the org with 5,000, every one with
  // ten thresholds; a signed webhook and a Slack destination, both for budgets and digests.
  // All set up before the replicas start (a replica that finds no digest destination
  // looks again only a minute later).
  const people = ['p1', 'p2', 'p3', 'p4', 'p5'];
  const agents: Agent[] = [];
  for (const p of people) {
    await cli(own, 'user', 'add', p);
    agents.push(JSON.parse((await cli(own, 'token', 'create', p))[0]) as Agent);
    await cli(own, 'budget', 'set', '--user', p, '--period', 'month', '--limit-tokens', '1000', '--thresholds', TEN);
  }
  await cli(own, 'budget', 'set', '--org', '--period', 'month', '--limit-tokens', '5000', '--thresholds', TEN);
  await cli(own, 'alert', 'add', '--kind', 'webhook', '--url', `${hook.url}/h`, '--events', 'budget,digest', '--secret', SECRET);
  await cli(own, 'alert', 'add', '--kind', 'slack', '--url', `${slack.url}/s`, '--events', 'budget,digest');

  const replicas: Replica[] = [];
  t.teardown(() => Promise.all(replicas.map((r) => r.kill('SIGKILL'))));
  for (const name of ['a', 'b']) replicas.push(startReplica(name, await freePort(), { ...env, TOKENBOARD_SERVER_DATA_DIR: tempDir(`tb-alerts-${name}-`) }));
  await Promise.all(replicas.map((r) => r.ready()));

  // Ten rounds of one batch of 100 tokens per person, each batch crossing that person's
  // next 10% (and, per round, the org's next 10%), alternating between the replicas.
  const answered: Record<string, number[]> = { a: [], b: [] };
  for (let round = 0; round < 10; round++) {
    await Promise.all(agents.map(async (agent, i) => {
      const r = replicas[(round + i) % 2];
      answered[r.name].push((await postIngest(r.url, agent, { events: [event({ input_tokens: 100, output_tokens: 0 })] })).status);
    }));
  }
  // 5 people × 10 rounds = 50 batches, half to each replica.
  t.deepEqual(answered.a, Array(25).fill(200));
  t.deepEqual(answered.b, Array(25).fill(200));

  // Six budgets × ten thresholds = 60 budget notifications per destination, and one digest.
  for (const r of [hook, slack]) await r.until((x) => budgetHits(x).length >= 60 && digests(x).length >= 1, `60 budget alerts and the digest at ${r === hook ? 'the webhook' : 'Slack'}`, 90_000);

  // Nothing is left to decide or to send: no delivery pending, a check decides nothing,
  // a round sends nothing, this week's digest is done. Then the replicas stop, so every
  // request they made has arrived before counting.
  const s = await createServices(loadConfig({ env: {}, overrides: { 'server.data_dir': tempDir(), 'database.url': env.TOKENBOARD_DATABASE_URL, 'server.secret_key': env.TOKENBOARD_SERVER_SECRET_KEY, 'org.timezone': zone } }), { log: createLogger(() => {}, true), migrate: false });
  t.teardown(() => s.close());
  await noPending(s);
  t.deepEqual(await checkBudgets(s), []);
  t.deepEqual(await deliverDue(s), []);
  t.is(await digestIfDue(s), 'done');
  await Promise.all(replicas.map((r) => r.kill('SIGTERM')));

  const expected = [1, 2, 3, 4, 5, 6].flatMap((id) => [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((th) => `${id}:${th}`)).sort();
  const monthStart = `${new DayCalendar(zone).dayOf(Date.now()).slice(0, 8)}01`;
  const hookKeys = budgetHits(hook.requests).map((r) => `${r.json.budget.id}:${r.json.threshold}`);
  t.is(hookKeys.length, 60);
  t.deepEqual([...hookKeys].sort(), expected, 'each (budget, threshold) once at the webhook');
  t.deepEqual([...new Set(budgetHits(hook.requests).map((r) => r.json.budget.period_start))], [monthStart], 'all in this month');
  t.true(hook.requests.every((r) => signedWith(r, SECRET)));
  // Slack's body is a message; the event id header says which event it is.
  const ids = (rs: Received[]) => rs.map((r) => String(r.headers['x-tokenboard-event-id']));
  t.is(new Set(ids(budgetHits(hook.requests))).size, 60, 'no event id twice at the webhook');
  t.deepEqual(ids(budgetHits(slack.requests)).sort(), ids(budgetHits(hook.requests)).sort(), 'Slack got the same 60 events, once each');
  t.is(budgetHits(slack.requests).length, 60);

  t.is(digests(hook.requests).length, 1, 'one digest at the webhook');
  t.is(digests(slack.requests).length, 1, 'one digest in Slack');
  t.deepEqual(hook.requests.length + slack.requests.length, 122, 'nothing else was sent');
  t.is(ids(digests(slack.requests))[0], ids(digests(hook.requests))[0]);
  t.deepEqual(digests(hook.requests)[0].json.digest.week, digestWeeks(new DayCalendar(zone).dayOf(Date.now())).week);

  // One attempt per delivery: no replica sent anything a second time.
  const [{ n }] = await rows<{ n: number }>(s.db, 'SELECT COUNT(*) AS n FROM alert_attempts');
  t.is(Number(n), 122);
  for (const r of replicas) t.notRegex(r.log(), /budget check failed|weekly digest failed|alert delivery failed/, `replica ${r.name} logged no failure`);
});

onPostgres(`two servers racing the check and the delivery with the check's lease bypassed: the unique key decides each notification once ${PG_ONLY}`, async (t) => {
  const hook = await receiver();
  const slack = await receiver();
  t.teardown(() => Promise.all([hook.close(), slack.close()]));
  const dir = tempDir();
  // The same data dir: the same database (test/helpers/engine.ts) and the same secret key.
  const a = await withApp(FAST, dir);
  t.teardown(() => a.stop());
  const b = await withApp(FAST, dir);
  t.teardown(() => b.stop());
  t.is(a.running.services.cfg.database.url, b.running.services.cfg.database.url);
  t.not(a.running.services.instance, b.running.services.instance);
  const env = await cliEnv(dir);

  const agents: Agent[] = [];
  for (const p of ['p1', 'p2', 'p3', 'p4', 'p5']) {
    agents.push(await a.createToken((await a.createUser(p)).login));
    await cli(env, 'budget', 'set', '--user', p, '--period', 'month', '--limit-tokens', '1000', '--thresholds', TEN);
  }
  await cli(env, 'budget', 'set', '--org', '--period', 'month', '--limit-tokens', '5000', '--thresholds', TEN);
  await cli(env, 'alert', 'add', '--kind', 'webhook', '--url', `${hook.url}/h`, '--events', 'budget', '--secret', SECRET);
  await cli(env, 'alert', 'add', '--kind', 'slack', '--url', `${slack.url}/s`, '--events', 'budget');

  // Ten batches of 100 tokens per person, half to each server, while both check and
  // deliver as fast as they can (checkBudgets directly: no lease keeps them apart).
  const apps = [a, b];
  let ingesting = true;
  const hammer = Promise.all(apps.map(async (app) => {
    while (ingesting) await Promise.all([checkBudgets(app.running.services), deliverDue(app.running.services)]);
  }));
  for (let round = 0; round < 10; round++) {
    await Promise.all(agents.map((agent, i) => postIngest(apps[(round + i) % 2].url, agent, { events: [event({ input_tokens: 100, output_tokens: 0 })] })));
  }
  ingesting = false;
  await hammer;
  // Per person 10 thresholds, and the org's 5 × 1,000 = 5,000 of 5,000 crosses all 10: 60 notifications.
  await hook.until((r) => r.length >= 60, '60 webhook deliveries', 60_000);
  await slack.until((r) => r.length >= 60, '60 Slack deliveries', 60_000);
  await noPending(a.running.services);
  t.deepEqual(await checkBudgets(a.running.services), []);
  t.deepEqual(await checkBudgets(b.running.services), []);
  t.deepEqual(await deliverDue(a.running.services), []);
  t.deepEqual(await deliverDue(b.running.services), []);
  const [{ n }] = await rows<{ n: number }>(a.running.services.db, 'SELECT COUNT(*) AS n FROM alert_attempts');
  t.is(Number(n), 120, 'one attempt per delivery: nobody sent anything twice');
  // Stopped, so every request either made has arrived before counting.
  await Promise.all([a.stop(), b.stop()]);

  t.is(hook.requests.length, 60);
  t.is(slack.requests.length, 60);
  const keys = hook.requests.map((r) => `${r.json.budget.id}:${r.json.threshold}`);
  t.is(new Set(keys).size, 60, 'each (budget, threshold) once');
  t.is(new Set(hook.requests.map((r) => r.json.id)).size, 60, 'no id twice');
});

test('a server killed between sending and recording: another server sends the delivery again with the same id, once', async (t) => {
  const dir = tempDir();
  const env = await cliEnv(dir);
  let child: ReturnType<typeof spawn> | null = null;
  // The first request arrives and the server that sent it dies before any answer.
  const hook = await receiver((n) => {
    if (n === 1) { child?.kill('SIGKILL'); return 'hang'; }
    return 200;
  });
  t.teardown(() => hook.close());
  await cli(env, 'user', 'add', 'kim');
  const agent = JSON.parse((await cli(env, 'token', 'create', 'kim'))[0]) as Agent;
  await cli(env, 'budget', 'set', '--user', 'kim', '--period', 'week', '--limit-tokens', '100', '--thresholds', '100');
  await cli(env, 'alert', 'add', '--kind', 'webhook', '--url', `${hook.url}/h`, '--events', 'budget', '--secret', 'whsec_crash_0123456789ab');

  child = spawn(process.execPath, ['--import=tsx', join(ROOT, 'src/cli.ts'), 'serve'], {
    env: { PATH: process.env.PATH!, ...env, TOKENBOARD_SERVER_PORT: '0', TOKENBOARD_SERVER_HOST: '127.0.0.1', TOKENBOARD_ALERTS_CHECK_SECONDS: '1', TOKENBOARD_JOBS_LEASE_SECONDS: '2' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once('exit', (_code, signal) => resolve(signal)));
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child!.stderr!.on('data', (b: Buffer) => { log += b.toString(); const m = /listening url=(\S+)/.exec(log); if (m) resolve(m[1]); });
    child!.once('exit', () => reject(new Error(`server exited early: ${log}`)));
  });
  // 60 + 40 tokens: 100% of 100.
  t.is((await postIngest(url, agent, { events: [event({ input_tokens: 60, output_tokens: 40 })] })).status, 200);
  t.is(await exited, 'SIGKILL');
  t.is(hook.requests.length, 1);

  // Another server on the same data: once the dead one's lease on the delivery runs out, it sends again.
  const app = await withApp(FAST, dir);
  t.teardown(() => app.stop());
  await hook.until((r) => r.length >= 2, 'the resend');
  await noPending(app.running.services);
  t.deepEqual(await checkBudgets(app.running.services), []);
  t.deepEqual(await deliverDue(app.running.services), []);
  t.is(hook.requests.length, 2);
  const [first, second] = hook.requests;
  t.is(first.json.type, 'budget.threshold_crossed');
  t.is(second.json.id, first.json.id, 'the same event id: the receiver deduplicates by it');
  t.is(second.body, first.body);
  const attempts = await rows<{ outcome: string; http_status: number }>(app.running.services.db, 'SELECT outcome, http_status FROM alert_attempts');
  t.deepEqual(attempts.map((a) => [a.outcome, Number(a.http_status)]), [['delivered', 200]], 'the killed attempt could not be recorded; the resend is');
});
