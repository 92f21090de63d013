// Leaderboard ranks and numbers against data seeded through the real ingest API, with
// answers worked out by hand: ties, window edges in a non-UTC org time zone, partial
// cost, filters, search, pagination, hidden people.
import test from 'ava';
import { withApp, postIngest, event, type Browser, type TestApp } from './helpers/app.ts';
import { leaderboard, type LeaderboardQuery } from '../src/usage/leaderboard.ts';
import { leaderboardView, rowDetails } from '../src/usage/leaderboard-details.ts';
import { priceTable, setPrice } from '../src/pricing/store.ts';
import { windowRange, type WindowName } from '../src/usage/window.ts';
import type { Metric } from '../src/usage/ranking.ts';
import { saveSettings } from '../src/admin/settings.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { updateUser } from './helpers/db.ts';

// The org lives in New York (UTC-4 in October). "Now" is 2026-10-14 14:00 there.
const TZ = 'America/New_York';
const NOW = Date.UTC(2026, 9, 14, 18);
const utc = (day: number, hour: number, minute = 0) => Date.UTC(2026, 9, day, hour, minute);

let app: TestApp;
// One signed-in viewer for every page test: sign-ins are write transactions, and several at
// once make SQLite connections wait on each other.
let viewer: Browser;
test.before(async () => {
  app = await withApp({ 'org.timezone': TZ });
  const { db } = app.running.services;
  for (const [login, teams] of [['ana', ['core']], ['ben', ['core', 'web']], ['cy', ['web']], ['dee', ['core']], ['eve', []]] as const) {
    await app.createUser(login);
    await updateUser(db, login, { teams: teams, name: login === 'cy' ? 'Cyrus Vance' : null });
  }
  const [ana, ben, cy, dee, eve] = [await app.createToken('ana'), await app.createToken('ben'), await app.createToken('cy'), await app.createToken('dee'), await app.createToken('eve')];
  // ana: 10-08 00:00 New York is 04:00 UTC, the first instant of the 7-day window.
  await postIngest(app.url, ana, { events: [
    event({ ts: utc(8, 4), model: 'claude-haiku-4-5', input_tokens: 1000, output_tokens: 0, source: 'claude-code', session: 's1', skills: ['review', 'test'] }),
    event({ ts: utc(14, 12), model: 'claude-haiku-4-5', input_tokens: 0, output_tokens: 200, source: 'proxy', session: 's2' }),
  ] });
  // ben: 03:59 UTC on 10-08 is still 10-07 in New York, one minute before the window.
  await postIngest(app.url, ben, { events: [
    event({ ts: utc(8, 3, 59), model: 'claude-haiku-4-5', input_tokens: 5000, output_tokens: 0, source: 'claude-code' }),
    event({ ts: utc(10, 12), model: 'claude-haiku-4-5', input_tokens: 700, output_tokens: 500, source: 'claude-code', skills: ['review'] }),
  ] });
  // cy: a model without a price makes the cost partial.
  await postIngest(app.url, cy, { events: [
    event({ ts: utc(12, 15), provider: 'acme', model: 'acme-1', input_tokens: 200, output_tokens: 100, source: 'proxy' }),
    event({ ts: utc(12, 16), model: 'claude-haiku-4-5', input_tokens: 100, output_tokens: 0, source: 'proxy' }),
  ] });
  // dee is hidden, eve deactivated: neither is listed however much they used.
  await postIngest(app.url, dee, { events: [event({ ts: utc(13, 12), input_tokens: 90_000, output_tokens: 0 })] });
  await postIngest(app.url, eve, { events: [event({ ts: utc(13, 12), input_tokens: 90_000, output_tokens: 0 })] });
  await updateUser(db, 'dee', { hidden: true });
  await updateUser(db, 'eve', { active: false });
  viewer = await app.signIn('ana');
});
test.after.always(async () => { await app?.stop(); });

async function board(window: WindowName, metric: Metric, extra: Partial<LeaderboardQuery> = {}) {
  const s = app.running.services;
  return leaderboard(s.db, await priceTable(s.db), s.calendar(), { range: windowRange(window, s.calendar(), NOW), metric, ...extra });
}
const ranks = (b: Awaited<ReturnType<typeof board>>) => b.rows.map((r) => [r.rank, r.person.login, r.value]);

test('7d by tokens: the window starts at midnight New York time, and ties share a rank', async (t) => {
  const b = await board('7d', 'tokens');
  t.deepEqual(b.range, { window: '7d', from: '2026-10-08', to: '2026-10-14', days: 7 });
  // ana 1000 + 200; ben 700 + 500 (his 10-07 event is outside); cy 300 + 100.
  t.deepEqual(ranks(b), [[1, 'ana', 1200], [1, 'ben', 1200], [3, 'cy', 400]]);
  t.is(b.ranked, 3);
  t.deepEqual(b.summary, { people: 3, tokens: 2800, cost_usd: 0.0053, cost_partial: true, messages: 5 });
  t.deepEqual(b.teams, ['core', 'web'], 'teams of listed people only');
});

test('all time and today', async (t) => {
  t.deepEqual(ranks(await board('all', 'tokens')), [[1, 'ben', 6200], [2, 'ana', 1200], [3, 'cy', 400]]);
  // Today (10-14 in New York) only ana's 08:00 event.
  t.deepEqual(ranks(await board('today', 'tokens')), [[1, 'ana', 200]]);
});

test('estimated cost, with a partial cost marked', async (t) => {
  const b = await board('7d', 'cost');
  // haiku: $1 in, $5 out per million. ben 700 in + 500 out = $0.0032; ana 1000 in + 200 out
  // = $0.002; cy 100 in = $0.0001 plus acme-1, which has no price.
  t.deepEqual(ranks(b), [[1, 'ben', 0.0032], [2, 'ana', 0.002], [3, 'cy', 0.0001]]);
  t.deepEqual(b.rows.map((r) => r.cost_partial), [false, false, true]);
  t.is(b.rows[2].unpriced_tokens, 300);
});

test('messages, sessions, active days, models and skills', async (t) => {
  t.deepEqual(ranks(await board('7d', 'messages')), [[1, 'ana', 2], [1, 'cy', 2], [3, 'ben', 1]]);
  t.deepEqual(ranks(await board('7d', 'sessions')), [[1, 'ana', 2], [2, 'ben', 0], [2, 'cy', 0]]);
  t.deepEqual(ranks(await board('7d', 'active_days')), [[1, 'ana', 2], [2, 'ben', 1], [2, 'cy', 1]]);
  t.deepEqual(ranks(await board('7d', 'models')), [[1, 'cy', 2], [2, 'ana', 1], [2, 'ben', 1]]);
  t.deepEqual(ranks(await board('7d', 'skills')), [[1, 'ana', 2], [2, 'ben', 1], [3, 'cy', 0]]);
  t.deepEqual(ranks(await board('all', 'active_days')), [[1, 'ana', 2], [1, 'ben', 2], [3, 'cy', 1]]);
});

test('team, provider and source filters', async (t) => {
  t.deepEqual(ranks(await board('7d', 'tokens', { team: 'web' })), [[1, 'ben', 1200], [2, 'cy', 400]]);
  t.deepEqual(ranks(await board('7d', 'tokens', { provider: 'acme' })), [[1, 'cy', 300]]);
  t.deepEqual(ranks(await board('7d', 'tokens', { source: 'measured' })), [[1, 'cy', 400], [2, 'ana', 200]]);
  t.deepEqual(ranks(await board('7d', 'tokens', { source: 'self-reported' })), [[1, 'ben', 1200], [2, 'ana', 1000]]);
  // With a filter that keeps everything, the numbers equal the read model's.
  const plain = await board('7d', 'cost');
  const viaRollups = await board('7d', 'cost', { provider: 'anthropic' });
  t.deepEqual(viaRollups.rows.find((r) => r.person.login === 'ana'), plain.rows.find((r) => r.person.login === 'ana'));
  const sessions = await board('7d', 'sessions', { source: 'self-reported' });
  t.deepEqual(ranks(sessions), [[1, 'ana', 1], [2, 'ben', 0]], 'only s1 came from a self-reported source');
  // The three trust levels and one tool, each read from the ledger's per-facet rows.
  // device = the proxy here: cy 300 + 100, ana's 200 on 10-14; nobody has provider data.
  t.deepEqual(ranks(await board('7d', 'tokens', { source: 'device' })), [[1, 'cy', 400], [2, 'ana', 200]]);
  t.deepEqual(ranks(await board('7d', 'tokens', { source: 'provider' })), []);
  t.deepEqual(ranks(await board('7d', 'tokens', { tool: 'claude-code' })), [[1, 'ben', 1200], [2, 'ana', 1000]]);
  t.deepEqual(ranks(await board('7d', 'sessions', { tool: 'proxy' })), [[1, 'ana', 1], [2, 'cy', 0]], 's2 started through the proxy');
  t.deepEqual(ranks(await board('7d', 'active_days', { tool: 'proxy' })), [[1, 'ana', 1], [1, 'cy', 1]]);
  t.deepEqual(ranks(await board('all', 'tokens', { tool: 'claude-code' })), [[1, 'ben', 5000 + 700 + 500], [2, 'ana', 1000]], 'all time from the per-facet totals');
  t.deepEqual(ranks(await board('all', 'messages', { provider: 'anthropic' })), [[1, 'ana', 2], [1, 'ben', 2], [3, 'cy', 1]]);
  // Two filters at once fold the rollups: the proxy's anthropic usage only.
  t.deepEqual(ranks(await board('7d', 'tokens', { provider: 'anthropic', tool: 'proxy' })), [[1, 'ana', 200], [2, 'cy', 100]]);
});

test('the page offers tool and trust filters and explains the trust levels', async (t) => {
  const page = await viewer.get('/?window=all&tool=proxy&source=device');
  t.is(page.status, 200);
  t.regex(page.text, /<option value="proxy" selected>proxy<\/option>/);
  t.regex(page.text, /<option value="device" selected>Device only<\/option>/);
  t.regex(page.text, /id="trust-legend"/);
  t.regex(page.text, /<span class="pill trust-provider">provider<\/span>/);
  t.is((await viewer.get('/?source=nonsense')).status, 400);
});

test('search keeps the overall rank; pagination', async (t) => {
  const found = await board('7d', 'tokens', { search: 'VANCE' });
  t.deepEqual(ranks(found), [[3, 'cy', 400]]);
  t.is(found.matched, 1);
  const p2 = await board('7d', 'tokens', { perPage: 2, page: 2 });
  t.deepEqual(ranks(p2), [[3, 'cy', 400]]);
  t.is(p2.pages, 2);
  const clamped = await board('7d', 'tokens', { perPage: 2, page: 99 });
  t.is(clamped.page, 2);
});

test('row details: sparkline, top model, trust label, unpriced models', async (t) => {
  const s = app.running.services;
  const range = windowRange('7d', s.calendar(), NOW);
  const ids = (await board('7d', 'tokens')).rows.map((r) => r.person.id);
  const d = await rowDetails(s.db, await priceTable(s.db), ids, range, {}, range.to);
  const [ana, ben, cy] = ids.map((id) => d.get(id)!);
  t.is(ana.spark.length, 30);
  t.is(ana.spark[29], 200);
  t.is(ana.spark[23], 1000, '10-08 is six days before 10-14');
  t.is(ana.top_model, 'claude-haiku-4-5');
  t.is(ana.trust, 'mixed');
  t.is(ben.trust, 'self-reported');
  t.is(cy.trust, 'device', 'all of it through the proxy');
  t.is(cy.top_model, 'acme-1');
  t.deepEqual(cy.unpriced_models, ['acme-1']);
  t.deepEqual(ana.unpriced_models, []);
});

// The page over HTTP: sign-in, full page vs fragments, URL state, JSON API. Windows here are
// relative to the real clock, so these use "all" (every seeded event is in the past).
test('GET / needs a session; the page shows the ranking with the viewer marked', async (t) => {
  const anon = await app.browser().get('/?window=all');
  t.is(anon.status, 302);
  t.regex(anon.location!, /^\/login/);
  const b = viewer;
  const page = await b.get('/?window=all');
  t.is(page.status, 200);
  t.regex(page.text, /^\s*<!doctype html>/i);
  t.regex(page.headers.get('vary') ?? '', /HX-Request/i);
  t.is(page.headers.get('cache-control'), 'no-store');
  const logins = [...page.text.matchAll(/<tr class="[^"]*" data-login="([^"]+)">/g)].map((m) => m[1]);
  t.deepEqual(logins, ['ben', 'ana', 'cy'], 'dee is hidden, eve deactivated');
  t.regex(page.text, /<tr class="is-me" data-login="ana">/);
  t.regex(page.text, /title="6,200 tokens">6\.2K</);
  t.regex(page.text, /<script src="\/app\.js" defer><\/script>/);
  t.regex(page.text, /hx-trigger="every 3s"/);
});

test('one URL, three shapes: page, board fragment, table fragment', async (t) => {
  const b = viewer;
  const table = await b.request('GET', '/?window=all&metric=cost', undefined, { 'hx-request': 'true', 'hx-target': 'lb-table' });
  t.is(table.status, 200);
  t.regex(table.text, /^\s*<div id="lb-table"/);
  t.notRegex(table.text, /<html|<nav class="tabs"/);
  t.regex(table.headers.get('vary') ?? '', /HX-Target/i);
  // The table polls its own URL, so it keeps the view's state.
  t.regex(table.text, /hx-get="\/\?metric=cost&amp;window=all"/);
  const board = await b.request('GET', '/?window=all&metric=cost', undefined, { 'hx-request': 'true', 'hx-target': 'board' });
  t.regex(board.text, /^\s*<section id="board"/);
  t.regex(board.text, /<div id="lb-table"/);
  t.notRegex(board.text, /<html/);
  // An htmx request for something else (a history restore) gets the whole page.
  const restore = await b.request('GET', '/?window=all', undefined, { 'hx-request': 'true', 'hx-target': 'lb-table', 'hx-history-restore-request': 'true' });
  t.regex(restore.text, /^\s*<!doctype html>/i);
});

test('a partial cost is marked and names the unpriced models', async (t) => {
  const b = viewer;
  const page = await b.get('/?window=all&metric=cost');
  const cyRow = /<tr class="" data-login="cy">[\s\S]*?<\/tr>/.exec(page.text)![0];
  t.regex(cyRow, /<span class="money partial" title="Partial: leaves out models without a price \(acme-1\)">&lt;\$0\.01<sup class="partial-mark">\*<\/sup>/);
  const benRow = /<tr class="" data-login="ben">[\s\S]*?<\/tr>/.exec(page.text)![0];
  // ben all time: 5700 in + 500 out of haiku = $0.0057 + $0.0025.
  t.regex(benRow, /<span class="money">\$0\.01<\/span>/);
});

test('tool and trust-level filters in the URL', async (t) => {
  const b = viewer;
  const logins = (text: string) => [...text.matchAll(/<tr class="[^"]*" data-login="([^"]+)">/g)].map((m) => m[1]);
  // proxy: cy 200 + 100 (acme and haiku), ana 200 (her 10-14 event).
  const proxy = await b.get('/?window=all&tool=proxy');
  t.is(proxy.status, 200);
  t.deepEqual(logins(proxy.text), ['cy', 'ana']);
  t.regex(proxy.text, /<input type="hidden" name="tool" value="proxy">/, 'the filter form keeps the tool');
  t.regex(proxy.text, /href="\/\?window=all">Clear filters</);
  // claude-code: ben 5000 + 1200, ana 1000.
  t.deepEqual(logins((await b.get('/?window=all&tool=claude-code')).text), ['ben', 'ana']);
  // device trust is the proxy here; nobody has provider numbers.
  const device = await b.get('/?window=all&source=device');
  t.deepEqual(logins(device.text), ['cy', 'ana']);
  t.regex(device.text, /<option value="device" selected>/);
  t.deepEqual(logins((await b.get('/?window=all&source=provider')).text), []);
  const bad = await b.get('/?source=sometimes');
  t.is(bad.status, 400);
  t.regex(bad.text, /source: &quot;sometimes&quot; is not one of provider, device, self-reported, measured/);
});

test('bad parameters are a 400 naming the parameter', async (t) => {
  const b = viewer;
  const bad = await b.get('/?metric=vibes');
  t.is(bad.status, 400);
  t.regex(bad.text, /metric: &quot;vibes&quot; is not one of/);
  t.is((await b.get('/?window=1y')).status, 400);
  t.is((await b.get('/?page=0')).status, 400);
});

test('GET /api/v1/leaderboard: the same numbers as JSON', async (t) => {
  t.is((await fetch(`${app.url}/api/v1/leaderboard`)).status, 401);
  const b = viewer;
  const res = await b.get('/api/v1/leaderboard?window=all&metric=cost', { accept: 'application/json' });
  t.is(res.status, 200);
  const body = res.json();
  t.is(body.metric, 'cost');
  t.deepEqual(body.rows.map((r: any) => [r.rank, r.login, r.tokens, r.cost_usd, r.cost_partial, r.unpriced_models]), [
    [1, 'ben', 6200, 0.0082, false, []], [2, 'ana', 1200, 0.002, false, []], [3, 'cy', 400, 0.0001, true, ['acme-1']],
  ]);
  const s = app.running.services;
  const direct = await board('all', 'cost');
  t.deepEqual(body.rows.map((r: any) => r.value), direct.rows.map((r) => r.value));
  t.is(body.rows[0].daily_tokens.length, 30);
});

test('row details follow new usage (the per-row mix is reused only while the figures are unchanged)', async (t) => {
  const other = await withApp();
  t.teardown(() => other.stop());
  const s = other.running.services;
  await other.createUser('zed');
  const zed = await other.createToken('zed');
  await postIngest(other.url, zed, { events: [event({ model: 'claude-haiku-4-5', input_tokens: 500, output_tokens: 0, source: 'claude-code' })] });
  const view = async () => {
    const v = await leaderboardView(s.db, s.calendar(), { range: windowRange('all', s.calendar()), metric: 'tokens' });
    return v.details.get(v.board.rows[0].person.id)!;
  };
  t.deepEqual([(await view()).top_model, (await view()).trust], ['claude-haiku-4-5', 'self-reported']);
  // Filtered figures are kept until the data changes: the new usage must show at once.
  const acme = async () => (await leaderboardView(s.db, s.calendar(), { range: windowRange('all', s.calendar()), metric: 'tokens', provider: 'acme' })).board.rows.map((r) => r.tokens);
  t.deepEqual(await acme(), []);
  t.deepEqual(await acme(), []);
  await postIngest(other.url, zed, { events: [event({ provider: 'acme', model: 'acme-2', input_tokens: 900, output_tokens: 0, source: 'proxy' })] });
  const after = await view();
  t.is(after.top_model, 'acme-2');
  t.is(after.trust, 'mixed');
  t.deepEqual(after.unpriced_models, ['acme-2']);
  t.deepEqual(await acme(), [900]);
  // A price for acme-2 re-prices the read model, and the cached cost follows.
  await setPrice(s.db, { model: 'acme-2', input: 1000, output: 1000 }, CLI_ACTOR);
  const cost = await leaderboardView(s.db, s.calendar(), { range: windowRange('all', s.calendar()), metric: 'cost', provider: 'acme' });
  t.is(cost.board.rows[0].cost_usd, 0.9);
  t.false(cost.board.rows[0].cost_partial);
});

test('an admin can open the leaderboard to visitors without a session', async (t) => {
  const other = await withApp();
  t.teardown(() => other.stop());
  await other.createUser('vee');
  await postIngest(other.url, await other.createToken('vee'), { events: [event()] });
  t.is((await other.browser().get('/')).status, 302);
  await saveSettings(other.running.services.db, other.cfg, { leaderboard_visibility: 'public' }, CLI_ACTOR);
  await other.running.services.refreshSettings();
  const page = await other.browser().get('/');
  t.is(page.status, 200);
  t.regex(page.text, /data-login="vee"/);
  t.notRegex(page.text, /class="is-me"/);
  t.is((await other.browser().get('/u/vee')).status, 200);
  t.is((await other.browser().get('/settings')).status, 302, 'settings still need a session');
});
