// Budgets and alerts as pure functions: periods, input checks, thresholds reached, retry
// backoff, the webhook signature (checked the way a receiver does), Slack messages, the
// digest's content and destination checks. No server, no database.
import test from 'ava';
import { periodOf, previousPeriod } from '../src/budgets/period.ts';
import { checkBudget, parseThresholds } from '../src/budgets/input.ts';
import { crossedThresholds, fractionOf, peopleOf, spendOf, type Spend } from '../src/budgets/spend.ts';
import type { Budget } from '../src/budgets/budgets.ts';
import { nextAttemptAt, outcomeOf, retryAfterMs } from '../src/alerts/backoff.ts';
import { bodyText, signature } from '../src/alerts/payload.ts';
import { slackMessage } from '../src/alerts/slack.ts';
import { buildDigest } from '../src/alerts/digest-content.ts';
import { checkDestination, parseEvents, urlHint } from '../src/alerts/destinations.ts';
import { digestDueAt, digestWeeks } from '../src/alerts/digest.ts';
import { DayCalendar } from '../src/usage/days.ts';
import { verify } from './helpers/signature.ts';

const budget = (o: Partial<Budget>): Budget => ({
  id: 1, scope: 'team', subject_key: 'team:platform', user_id: null, login: null, team: 'platform', period: 'month',
  limit_usd: 100, limit_tokens: null, thresholds: [50, 80, 100], revision: 1, created_by: 'cli', created_at: 0, updated_at: 0, ...o,
});
const spend = (o: Partial<Spend>): Spend => ({ spent_usd: 0, tokens: 0, unpriced_tokens: 0, people: 1, ...o });

test('periods: Monday-to-Sunday weeks and calendar months, as day ranges', (t) => {
  // 2026-12-06 is a Sunday: its week started on Monday 2026-11-30.
  t.deepEqual(periodOf('week', '2026-12-06'), { start: '2026-11-30', end: '2026-12-06' });
  t.deepEqual(periodOf('week', '2026-11-30'), { start: '2026-11-30', end: '2026-12-06' });
  t.deepEqual(periodOf('month', '2026-12-31'), { start: '2026-12-01', end: '2026-12-31' });
  t.deepEqual(periodOf('month', '2028-02-10'), { start: '2028-02-01', end: '2028-02-29' }, 'a leap February');
  t.deepEqual(periodOf('month', '2027-02-10'), { start: '2027-02-01', end: '2027-02-28' });
  t.deepEqual(previousPeriod('month', '2027-01-15'), { start: '2026-12-01', end: '2026-12-31' });
  t.deepEqual(previousPeriod('week', '2026-12-02'), { start: '2026-11-23', end: '2026-11-29' });
});

test('thresholds: 1–1000 whole percents, sorted and unique; 50, 80, 100 by default', (t) => {
  t.deepEqual(parseThresholds(''), [50, 80, 100]);
  t.deepEqual(parseThresholds(null), [50, 80, 100]);
  t.deepEqual(parseThresholds('100, 50,50 80%'), [50, 80, 100]);
  t.deepEqual(parseThresholds([1, 1000]), [1, 1000]);
  t.throws(() => parseThresholds('0'), { message: 'thresholds: 0 is outside 1–1000 (percent of the limit)' });
  t.throws(() => parseThresholds('50,1001'), { message: 'thresholds: 1001 is outside 1–1000 (percent of the limit)' });
  t.throws(() => parseThresholds('fifty'), { message: /thresholds: "fifty" is not a whole number/ });
  t.throws(() => parseThresholds('12.5'), { message: /thresholds: "12.5" is not a whole number/ });
  t.throws(() => parseThresholds('1,2,3,4,5,6,7,8,9,10,11'), { message: 'thresholds: at most 10, got 11' });
});

test('budget input: one scope, one period, exactly one limit above 0', (t) => {
  t.deepEqual(checkBudget({ scope: 'org', subject: 'ignored', period: 'week', limit_tokens: '5000000' }),
    { scope: 'org', subject: null, period: 'week', limit_usd: null, limit_tokens: 5_000_000, thresholds: [50, 80, 100] });
  t.deepEqual(checkBudget({ scope: 'team', subject: ' platform ', period: 'month', limit_usd: '500', thresholds: '80' }),
    { scope: 'team', subject: 'platform', period: 'month', limit_usd: 500, limit_tokens: null, thresholds: [80] });
  const fails = (d: Parameters<typeof checkBudget>[0], message: string | RegExp) => t.throws(() => checkBudget(d), { message });
  fails({ scope: 'group', period: 'month', limit_usd: 1 }, 'scope: user, team or org, not "group"');
  fails({ scope: 'user', subject: '', period: 'month', limit_usd: 1 }, /^user: give the login/);
  fails({ scope: 'team', period: 'month', limit_usd: 1 }, /^team: give the GitHub team slug/);
  fails({ scope: 'org', period: 'year', limit_usd: 1 }, 'period: week or month, not "year"');
  fails({ scope: 'org', period: 'month' }, 'limit: give a limit in estimated USD or in tokens');
  fails({ scope: 'org', period: 'month', limit_usd: 1, limit_tokens: 1 }, 'limit: a limit in USD or in tokens, not both');
  fails({ scope: 'org', period: 'month', limit_usd: '0' }, 'limit: must be more than 0 USD, got 0');
  fails({ scope: 'org', period: 'month', limit_usd: '-5' }, 'limit: must be more than 0 USD, got -5');
  fails({ scope: 'org', period: 'month', limit_tokens: '1.5' }, 'limit: a whole number of tokens, got 1.5');
  fails({ scope: 'org', period: 'month', limit_usd: 'lots' }, 'limit: "lots" is not a number of USD');
});

test('spend and thresholds: sums over the covered people; spent ≥ limit × t / 100, with float sums', (t) => {
  const sums = new Map([[1, { cost_usd: 30, tokens: 1000, unpriced_tokens: 0 }], [2, { cost_usd: 49.99, tokens: 500, unpriced_tokens: 200 }], [3, { cost_usd: 1000, tokens: 9, unpriced_tokens: 0 }]]);
  // People 1 and 2 only: 30 + 49.99 = 79.99 USD, 1000 + 500 tokens, 200 of them unpriced.
  const s = spendOf(sums, [1, 2, 4]);
  t.is(Math.round(s.spent_usd * 100), 7999);
  t.is(s.tokens, 1500);
  t.is(s.unpriced_tokens, 200);
  t.is(s.people, 3);
  const b = budget({});
  t.deepEqual(crossedThresholds(b, s), [50], '79.99 of 100 is past 50% only');
  t.deepEqual(crossedThresholds(b, spend({ spent_usd: 80 })), [50, 80]);
  t.deepEqual(crossedThresholds(b, spend({ spent_usd: 49.999 })), []);
  // 0.1 added eight times is 0.7999999999999999 in binary floating point: still 80% of $1.
  let eight = 0;
  for (let i = 0; i < 8; i++) eight += 0.1;
  t.deepEqual(crossedThresholds(budget({ limit_usd: 1 }), spend({ spent_usd: eight })), [50, 80]);
  const tokens = budget({ limit_usd: null, limit_tokens: 1000, thresholds: [100, 50, 150] });
  t.deepEqual(crossedThresholds(tokens, spend({ tokens: 499, spent_usd: 1e6 })), [], 'a token budget ignores cost');
  t.deepEqual(crossedThresholds(tokens, spend({ tokens: 1500 })), [50, 100, 150]);
  t.is(fractionOf(tokens, spend({ tokens: 250 })), 0.25);
  const people = [{ id: 1, teams: ['platform'] }, { id: 2, teams: ['web', 'platform'] }, { id: 3, teams: [] }];
  t.deepEqual(peopleOf(budget({}), people), [1, 2]);
  t.deepEqual(peopleOf(budget({ scope: 'org' }), people), [1, 2, 3]);
  t.deepEqual(peopleOf(budget({ scope: 'user', user_id: 3 }), people), [3]);
});

test('retries: network errors, 5xx and 429 back off doubling up to an hour, for 24 hours; other answers end it', (t) => {
  for (const [status, outcome] of [[null, 'retry'], [200, 'delivered'], [204, 'delivered'], [301, 'failed'], [400, 'failed'], [404, 'failed'], [410, 'failed'], [429, 'retry'], [500, 'retry'], [503, 'retry']] as const) {
    t.is(outcomeOf(status), outcome, String(status));
  }
  const base = 30_000;
  const start = 1_000_000;
  t.is(nextAttemptAt(1, start, start, base), start + 30_000);
  t.is(nextAttemptAt(2, start, start, base), start + 60_000);
  t.is(nextAttemptAt(3, start, start, base), start + 120_000);
  // 30 s × 2^7 = 3840 s: capped at one hour.
  t.is(nextAttemptAt(8, start, start, base), start + 3_600_000);
  t.is(nextAttemptAt(3, start, start, base, 600_000), start + 600_000, 'a longer retry-after wins');
  t.is(nextAttemptAt(1, start, start, base, 1_000), start + 30_000, 'a shorter one does not');
  // 23.5 h after the first attempt, one more hour would pass the 24-hour window.
  t.is(nextAttemptAt(30, start, start + 23.5 * 3_600_000, base), null);
  t.is(nextAttemptAt(1, start, start + 23.5 * 3_600_000, base), start + 23.5 * 3_600_000 + 30_000);
  t.is(retryAfterMs('120', 0), 120_000);
  t.is(retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('Wed, 21 Oct 2026 07:27:00 GMT')), 60_000);
  t.is(retryAfterMs(undefined, 0), null);
  t.is(retryAfterMs('soon', 0), null);
});

test('the signature: t=<seconds>,v1=HMAC-SHA256(secret, t.body), as a receiver checks it', (t) => {
  const body = bodyText('alert.test', 'evt_1', Date.parse('2026-12-02T10:00:00.123Z'), { message: 'hi' });
  t.is(body, '{"type":"alert.test","id":"evt_1","created":"2026-12-02T10:00:00Z","message":"hi"}');
  const now = Math.floor(Date.now() / 1000);
  const header = signature('whsec_0123456789abcdef', body, now);
  t.regex(header, new RegExp(`^t=${now},v1=[0-9a-f]{64}$`));
  t.true(verify(header, body, 'whsec_0123456789abcdef'));
  t.false(verify(header, body.replace('hi', 'ho'), 'whsec_0123456789abcdef'), 'a changed body');
  t.false(verify(header, body, 'whsec_another_secret_00'), 'another secret');
  t.false(verify(signature('whsec_0123456789abcdef', body, now - 3600), body, 'whsec_0123456789abcdef'), 'an hour-old signature (a replay)');
});

test('Slack: text names who, which budget and how much; partial cost said; blocks carry the link; names are escaped', (t) => {
  const m = slackMessage({
    type: 'budget.threshold_crossed', id: 'evt_1', created: '2026-12-02T10:00:00Z',
    budget: { id: 3, scope: 'team', subject: 'plat<form>', period: 'month', period_start: '2026-12-01', period_end: '2026-12-31', limit_usd: 500, limit_tokens: null },
    threshold: 80, spent_usd: 401.2, tokens: 123456789, unpriced_tokens: 2_500_000, url: 'https://tb.example/team?team=plat%3Cform%3E',
  }, 'Acme');
  // 401.2 / 500 = 80.24% → "80%".
  t.is(m.text, ':warning: Team *plat&lt;form&gt;* crossed 80% of its monthly AI budget: $401.20 of $500.00 estimated used (80%) in the month from Dec 1, 2026.');
  const [section, context] = m.blocks as any[];
  t.is(section.type, 'section');
  t.is(section.text.type, 'mrkdwn');
  t.true(section.text.text.startsWith(m.text));
  t.regex(section.text.text, /Cost is partial: 2\.5M tokens of models without a price are not in it/);
  t.is(context.type, 'context');
  t.is(context.elements[0].text, '<https://tb.example/team?team=plat%3Cform%3E|Open the team page> · TokenBoard · Acme');

  const person = slackMessage({ type: 'budget.threshold_crossed', budget: { scope: 'user', subject: 'alice', period: 'week', period_start: '2026-11-30', limit_usd: null, limit_tokens: 2_000_000 },
    threshold: 100, spent_usd: 3, tokens: 2_100_000, unpriced_tokens: 5, url: null }, 'Acme');
  // 2.1M / 2M = 105%.
  t.is(person.text, ':rotating_light: *alice* crossed 100% of their weekly AI budget: 2.1M of 2M tokens used (105%) in the week from Nov 30, 2026.');
  t.is(person.blocks.length, 2);
  t.false(JSON.stringify(person).includes('partial'), 'a token budget has no cost to be partial');
  const org = slackMessage({ type: 'budget.threshold_crossed', budget: { scope: 'org', subject: 'Acme', period: 'month', period_start: '2026-12-01', limit_usd: 10, limit_tokens: null }, threshold: 50, spent_usd: 5, tokens: 1, unpriced_tokens: 0, url: null }, 'Acme');
  t.regex(org.text, /^:warning: \*Acme\* \(the whole org\) crossed 50% of its monthly AI budget: \$5\.00 of \$10\.00/);
});

test('the digest: last week against the week before; hidden people counted, never named', (t) => {
  const people = [
    { id: 1, login: 'alice', name: 'Alice', hidden: false },
    { id: 2, login: 'bob', name: null, hidden: true },
    { id: 3, login: 'carol', name: null, hidden: false },
    { id: 4, login: 'dan', name: null, hidden: false },
  ];
  const row = (tokens: number, cost: number, unpriced = 0) => ({ tokens, cost_usd: cost, unpriced_tokens: unpriced, events: tokens > 0 ? 1 : 0 });
  const d = buildDigest({
    week: { start: '2026-11-23', end: '2026-11-29' }, previous: { start: '2026-11-16', end: '2026-11-22' }, orgName: 'Acme', people,
    now: new Map([[1, row(3_000_100, 30, 100)], [2, row(5_000_000, 50)], [4, row(10, 0.01)]]),
    before: new Map([[1, row(1_000_000, 10)], [3, row(2_000_000, 20)]]),
    unknownModels: [
      { provider: 'x', model: 'new-one', tokens: 100, events: 1, first_seen: '2026-11-24', last_seen: '2026-11-24' },
      { provider: 'x', model: 'older', tokens: 7, events: 1, first_seen: '2026-11-18', last_seen: '2026-11-25' },
    ],
    budgets: [],
  });
  // Active last week: alice, bob, dan = 3; the week before: alice, carol = 2.
  t.deepEqual(d.people, { members: 4, active: 3, active_before: 2, active_change: 1 });
  // 3,000,100 + 5,000,000 + 10 tokens; 1,000,000 + 2,000,000.
  t.deepEqual(d.tokens, { week: 8_000_110, previous: 3_000_000 });
  // $30 + $50 + $0.01 = $80.01 against $10 + $20 = $30: (80.01 − 30) / 30 = +166.7%.
  t.deepEqual(d.spend, { usd: 80.01, usd_before: 30, partial: true, partial_before: false, change_pct: 166.7 });
  t.deepEqual(d.top_people.map((p) => p.login), ['alice', 'dan'], 'bob is hidden');
  // Movers: alice +2,000,100, dan +10; carol went down; bob is hidden.
  t.deepEqual(d.top_movers.map((p) => [p.login, p.change]), [['alice', 2_000_100], ['dan', 10]]);
  t.deepEqual(d.new_unknown_models.map((m) => m.model), ['new-one'], 'first seen in the week only');
  t.false(JSON.stringify(d).includes('bob'));
  const slack = slackMessage({ type: 'digest.weekly', digest: d, url: 'https://tb.example/team' }, 'Acme');
  t.is(slack.text, 'Weekly AI usage for Acme, Nov 23, 2026 – Nov 29, 2026: 3 of 4 people active (+1 vs the week before), estimated spend $80.01 (partial: some models have no price), +166.7% vs the week before.');
  t.regex((slack.blocks[0] as any).text.text, /\*Top people:\* alice 3M, dan 10/);
});

test('the digest is due Monday 09:00 in the org time zone and covers the week before', (t) => {
  t.deepEqual(digestWeeks('2026-12-03'), { monday: '2026-11-30', week: { start: '2026-11-23', end: '2026-11-29' }, previous: { start: '2026-11-16', end: '2026-11-22' } });
  // Berlin is UTC+1 in winter: Monday 09:00 there is 08:00 UTC.
  t.is(digestDueAt('2026-12-03', new DayCalendar('Europe/Berlin')), Date.parse('2026-11-30T08:00:00Z'));
  t.is(digestDueAt('2026-11-30', new DayCalendar('UTC')), Date.parse('2026-11-30T09:00:00Z'));
  // New York in summer (UTC−4).
  t.is(digestDueAt('2026-07-09', new DayCalendar('America/New_York')), Date.parse('2026-07-06T13:00:00Z'));
});

test('destinations: http(s) URLs only, event kinds by name; hints hide the rest of a long path', (t) => {
  const fails = (d: Parameters<typeof checkDestination>[0], message: string | RegExp) => t.throws(() => checkDestination(d), { message });
  fails({ kind: 'email', url: 'https://x' }, 'kind: slack or webhook, not "email"');
  fails({ kind: 'slack', url: '' }, 'url: give the Slack incoming-webhook URL');
  fails({ kind: 'webhook', url: 'ftp://files.example/hook' }, 'url: must start with http:// or https://, not ftp:');
  fails({ kind: 'webhook', url: 'javascript:alert(1)' }, 'url: must start with http:// or https://, not javascript:');
  fails({ kind: 'webhook', url: 'not a url' }, 'url: not a URL; give a full http:// or https:// address');
  fails({ kind: 'webhook', url: 'https://u:p@host/x' }, /^url: no user name or password/);
  fails({ kind: 'webhook', url: 'https://x', secret: 'short' }, /^secret: 16-200 characters/);
  t.throws(() => parseEvents('budget,email'), { message: 'events: "email" is not an event kind; use budget, digest, unknown-model, import-failed' });
  t.deepEqual(parseEvents(''), ['budget', 'digest', 'unknown-model', 'import-failed']);
  t.deepEqual(parseEvents('digest budget'), ['budget', 'digest']);
  t.is(checkDestination({ kind: 'webhook', url: 'http://10.0.0.5:8080/hooks' }).url.host, '10.0.0.5:8080', 'internal hosts are allowed');
  t.is(urlHint(new URL('https://hooks.slack.com/services/T000/B000/XXXXsecretXyz9')), 'https://hooks.slack.com/…Xyz9');
  t.is(urlHint(new URL('http://127.0.0.1:4000/hook')), 'http://127.0.0.1:4000/hook');
});
