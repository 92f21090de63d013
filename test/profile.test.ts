// The profile's numbers against data seeded through the real ingest API (org in India,
// UTC+5:30, so day edges fall at 18:30 UTC), worked out by hand.
import test from 'ava';
import { withApp, postIngest, event, type TestApp } from './helpers/app.ts';
import { findPerson, profile } from '../src/usage/profile.ts';
import { priceTable } from '../src/pricing/store.ts';
import { windowRange, type WindowName } from '../src/usage/window.ts';
import { storeInTx } from '../src/ledger/write.ts';
import { leaderboard } from '../src/usage/leaderboard.ts';
import { updateUser } from './helpers/db.ts';

const TZ = 'Asia/Kolkata';
// 2026-10-14 17:30 in India.
const NOW = Date.UTC(2026, 9, 14, 12);
const at = (month: number, day: number, hour: number, minute = 0) => Date.UTC(2026, month - 1, day, hour, minute);
const EVIL = '<script>alert(1)</script>';

let app: TestApp;
test.before(async () => {
  app = await withApp({ 'org.timezone': TZ });
  await app.createUser('pat');
  const pat = await app.createToken('pat');
  const haiku = (ts: number, input: number, output: number, over = {}) => event({ ts, model: 'claude-haiku-4-5', input_tokens: input, output_tokens: output, source: 'claude-code', ...over });
  await postIngest(app.url, pat, { events: [
    haiku(at(9, 30, 6, 30), 100, 0), haiku(at(10, 1, 6, 30), 100, 0), haiku(at(10, 2, 6, 30), 100, 0), haiku(at(10, 3, 6, 30), 100, 0),
    event({ ts: at(10, 10, 6, 30), provider: 'evil', model: EVIL, input_tokens: 1000, output_tokens: 0, source: 'proxy', skills: ['x'] }),
    event({ ts: at(10, 12, 6, 30), provider: 'ollama', model: 'llama3', is_local: true, input_tokens: 50, output_tokens: 50, source: 'proxy' }),
    // 18:29 UTC is 23:59 on 10-13 in India; 18:30 UTC is already 10-14.
    haiku(at(10, 13, 18, 29), 0, 100),
    haiku(at(10, 13, 18, 30), 1_000_000, 0, { source: 'proxy', session: 'a' }),
    haiku(at(10, 14, 8), 0, 1000, { source: 'proxy', session: 'a', skills: ['x', 'y'] }),
  ] });
});
test.after.always(async () => { await app?.stop(); });

async function view(login: string, window: WindowName) {
  const s = app.running.services;
  const person = (await findPerson(s.db, login))!;
  return profile(s.db, await priceTable(s.db), s.calendar(), person, windowRange(window, s.calendar(), NOW));
}

test('7-day totals, cost marked partial with the unpriced model named', async (t) => {
  const p = await view('pat', '7d');
  t.deepEqual(p.range, { window: '7d', from: '2026-10-08', to: '2026-10-14', days: 7 });
  t.deepEqual(p.totals, {
    input_tokens: 1_001_050, output_tokens: 1150, cache_read_tokens: 0, cache_write_tokens: 0, tokens: 1_002_200,
    messages: 5, sessions: 1, active_days: 4,
    // haiku ($1 in, $5 out per million): 100 out + 1M in + 1000 out; llama3 is local (free).
    cost_usd: 1.0055, cost_partial: true, unpriced_models: [EVIL], replaced_tokens: 0,
  });
  const today = await view('pat', 'today');
  t.is(today.totals.tokens, 1_001_000);
  t.is(today.totals.cost_usd, 1.005);
  t.false(today.totals.cost_partial);
});

test('all-time totals agree with tokenboard stats', async (t) => {
  const p = await view('pat', 'all');
  const s = await app.stats('pat');
  t.is(p.totals.tokens, s.total_tokens);
  t.is(p.totals.messages, s.events);
  t.is(p.totals.sessions, s.sessions);
  t.is(p.totals.active_days, s.active_days);
  t.is(p.totals.cost_usd, s.cost_usd ?? NaN);
  t.deepEqual(p.totals.unpriced_models, s.unknown_models);
});

test('streaks, heatmap and trend', async (t) => {
  const p = await view('pat', '7d');
  // Active: 09-30..10-03 (4 in a row), 10-10, 10-12..10-14 (3 in a row, ending today).
  t.deepEqual(p.streaks, { current: 3, longest: 4 });
  t.is(p.heatmap.length, 365);
  t.deepEqual(p.heatmap[364], { day: '2026-10-14', tokens: 1_001_000, messages: 2 });
  t.deepEqual(p.heatmap[363], { day: '2026-10-13', tokens: 100, messages: 1 });
  t.is(p.heatmap[0].day, '2025-10-15');
  t.deepEqual(p.lifetime, { active_days: 8, first_day: '2026-09-30', last_day: '2026-10-14' });
  // Windows shorter than two weeks still draw 14 days.
  t.is(p.trend.bucket, 'day');
  t.is(p.trend.points.length, 14);
  t.is(p.trend.points[13].tokens, 1_001_000);
});

test('model mix, sources with trust labels, sessions and skills', async (t) => {
  const p = await view('pat', '7d');
  t.deepEqual(p.models.map((m) => [m.model, m.tokens, m.messages, m.cost_usd]), [
    ['claude-haiku-4-5', 1_001_100, 3, 1.0055], [EVIL, 1000, 1, null], ['llama3', 100, 1, 0],
  ]);
  t.is(p.models.reduce((n, m) => n + m.tokens, 0), p.totals.tokens);
  t.deepEqual(p.sources.map((s) => [s.source, s.trust, s.tokens]), [['proxy', 'device', 1_002_100], ['claude-code', 'self-reported', 100]]);
  t.deepEqual(p.sessions, [{ start: at(10, 13, 18, 30), duration_ms: 13.5 * 3600_000, events: 2, tokens: 1_001_000, model: 'claude-haiku-4-5', source: 'proxy' }]);
  t.deepEqual(p.skills, [{ name: 'x', count: 2 }, { name: 'y', count: 1 }]);
});

test('a day where the provider’s own numbers won: breakdowns add up to the totals', async (t) => {
  const s = app.running.services;
  await app.createUser('rec');
  const rec = await app.createToken('rec');
  await postIngest(app.url, rec, { events: [event({ ts: at(10, 14, 6), model: 'claude-haiku-4-5', input_tokens: 1000, output_tokens: 0, source: 'claude-code' })] });
  // An Admin-API import for the same day and provider (agents cannot claim this source).
  await s.db.writer.transaction(async (tx) => storeInTx(tx, { userId: rec.user_id, tokenId: null, replay: null, now: Date.now(), minTs: 0 },
    [{ ts: at(10, 14, 0), provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false, input_tokens: 3000, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, source: 'anthropic-admin', id: 'imp-1' }],
    s.calendar(), await priceTable(s.db)));
  const p = await view('rec', 'today');
  t.is(p.totals.tokens, 3000, 'the provider’s number wins');
  t.is(p.totals.replaced_tokens, 1000);
  t.is(p.totals.messages, 1, 'messages stay the self-reported count');
  t.deepEqual(p.models.map((m) => [m.model, m.tokens, m.messages]), [['claude-haiku-4-5', 3000, 1]]);
  t.deepEqual(p.sources.map((x) => [x.source, x.tokens, x.messages]), [['anthropic-admin', 3000, 0], ['claude-code', 0, 1]]);
  // The leaderboard through the rollups (a provider filter) agrees with the read model.
  const range = windowRange('today', s.calendar(), NOW);
  const prices = await priceTable(s.db);
  const plain = (await leaderboard(s.db, prices, s.calendar(), { range, metric: 'tokens' })).rows.find((r) => r.person.login === 'rec')!;
  const filtered = (await leaderboard(s.db, prices, s.calendar(), { range, metric: 'tokens', provider: 'anthropic' })).rows.find((r) => r.person.login === 'rec')!;
  t.is(filtered.tokens, plain.tokens);
  t.is(filtered.messages, plain.messages);
  t.is(filtered.cost_usd, plain.cost_usd);
});

// The page over HTTP. Windows follow the real clock, so these use "all". Serial: sign-ins
// are write transactions, and several at once make SQLite connections wait on each other.
test.serial('GET /u/:login: full page with heatmap, escaped model names, and the #profile fragment', async (t) => {
  const b = await app.signIn('viewer');
  t.is((await app.browser().get('/u/pat')).status, 302, 'sign-in first');
  const page = await b.get('/u/pat?window=all');
  t.is(page.status, 200);
  t.regex(page.text, /^\s*<!doctype html>/i);
  const heat = /<svg class="heatmap"[\s\S]*?<\/svg>/.exec(page.text)![0];
  t.is((heat.match(/<rect /g) ?? []).length, 365);
  t.is((heat.match(/<title>/g) ?? []).length, 365);
  t.false(page.text.includes(EVIL), 'a model named <script> never reaches the page raw');
  t.true(page.text.includes('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>'));
  t.regex(page.text, /partial: no price for &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  t.regex(page.text, /What we store/);
  t.regex(page.text, /longest streak/);
  t.regex(page.headers.get('vary') ?? '', /HX-Target/i);

  const frag = await b.request('GET', '/u/pat?window=7d', undefined, { 'hx-request': 'true', 'hx-target': 'profile' });
  t.regex(frag.text, /^\s*<article id="profile"/);
  t.notRegex(frag.text, /<html/);
  t.is((await b.get('/u/nobody')).status, 404);
  t.is((await b.get('/u/pat?window=forever')).status, 400);
});

test.serial('the leaderboard escapes a model name too', async (t) => {
  await app.createUser('mal');
  const mal = await app.createToken('mal');
  await postIngest(app.url, mal, { events: [event({ provider: 'evil', model: EVIL, input_tokens: 5, output_tokens: 5 })] });
  const b = await app.signIn('viewer2');
  const page = await b.get('/?window=all');
  t.is(page.status, 200);
  t.false(page.text.includes(EVIL));
  t.true(page.text.includes('<td class="opt model"><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></td>'));
});

test.serial('a hidden person’s profile: seen by themselves and managers, a 404 for colleagues', async (t) => {
  const { db } = app.running.services;
  await app.createUser('hid');
  await updateUser(db, 'hid', { hidden: true });
  t.is((await (await app.signIn('colleague')).get('/u/hid')).status, 404);
  t.is((await (await app.signIn('hid')).get('/u/hid')).status, 200);
  t.is((await (await app.signIn('boss', 'manager')).get('/u/hid')).status, 200);
});

test.serial('GET /api/v1/users/:login: the profile numbers as JSON', async (t) => {
  const b = await app.signIn('viewer3');
  const res = await b.get('/api/v1/users/pat?window=all', { accept: 'application/json' });
  t.is(res.status, 200);
  const body = res.json();
  const s = await app.stats('pat');
  t.is(body.totals.total_tokens, s.total_tokens);
  t.is(body.totals.cost_usd, s.cost_usd);
  t.true(body.totals.cost_partial);
  t.deepEqual(body.totals.unpriced_models, [EVIL]);
  t.deepEqual(body.streaks, { current: 0, longest: 4 });
  t.is(body.sessions[0].start, new Date(at(10, 13, 18, 30)).toISOString());
  t.false(JSON.stringify(body).includes('"a"'), 'no raw session ids');
  t.is((await fetch(`${app.url}/api/v1/users/pat`)).status, 401);
});
