// The /team page and /team.csv over HTTP: hand-computed adoption figures visible in the
// HTML, filters, the htmx fragment, reconciliation shown, CSV headers and escaping, roles.
import test from 'ava';
import { withApp, postIngest, event, type TestApp, type Browser } from './helpers/app.ts';
import { addUser } from '../src/users/users.ts';
import { storeImported } from '../src/imports/mapping.ts';
import { weekStart } from '../src/usage/team.ts';
import { DayCalendar } from '../src/usage/days.ts';
import { updateUser } from './helpers/db.ts';

const admin = { userId: null, login: 'root' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let app: TestApp;
let manager: Browser;
let member: Browser;
let root: Browser;
const now = Date.now();
const recent = now - HOUR;
const longAgo = now - 10 * DAY;

test.before(async () => {
  app = await withApp();
  const s = app.running.services;
  const people: [string, string[], string | null, string | null][] = [
    ['ana', ['core'], 'Ana Lima', 'ana@acme.dev'], ['ben', ['core'], '=HYPERLINK("http://x")', null], ['cy', ['web'], '<b>Cy</b>', null], ['dee', ['core'], 'Dee', null],
  ];
  for (const [login, teams, name, email] of people) {
    await addUser(s.db, { login, email }, admin);
    await updateUser(s.db, login, { teams: teams, name });
  }
  await updateUser(s.db, 'dee', { last_seen_at: new Date() });
  const [ana, ben, cy] = [await app.createToken('ana'), await app.createToken('ben'), await app.createToken('cy')];
  // ana: 1M self-reported haiku tokens, then the Admin API reports 1.5M for the same day.
  await postIngest(app.url, ana, { events: [event({ ts: recent, model: 'claude-haiku-4-5', input_tokens: 1_000_000, output_tokens: 0, source: 'claude-code' })] });
  await storeImported(s, 'anthropic-admin', [{
    event: { ts: recent, provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false, input_tokens: 1_500_000, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, id: 'aa:ana', source: 'anthropic-admin' },
    identities: [['email', 'ana@acme.dev']], label: 'ana@acme.dev',
  }]);
  // cy: 1.6M gpt-5 input at $1.25/M = $2.00. ben: only 10 days ago (lapsed in a 7-day window).
  await postIngest(app.url, cy, { events: [event({ ts: recent, provider: 'openai', model: 'gpt-5', input_tokens: 1_600_000, output_tokens: 0, source: 'proxy' })] });
  await postIngest(app.url, ben, { events: [event({ ts: longAgo, model: 'claude-haiku-4-5', input_tokens: 10, output_tokens: 0 })] });
  manager = await app.signIn('boss', 'manager');
  member = await app.signIn('mo', 'member');
  root = await app.signIn('root', 'admin');
});
test.after.always(async () => { await app?.stop(); });

const stat = (html: string, name: string) => new RegExp(`data-stat="${name}"[^>]*>([^<]*(?:<span[^>]*>[^<]*)?)`).exec(html)?.[1]?.trim();

test('adoption figures for a 7-day window, as computed by hand', async (t) => {
  const r = await manager.get('/team?window=7d');
  t.is(r.status, 200);
  const html = r.text;
  // Members: ana, ben, cy, dee, boss, mo and root (7); active: ana and cy.
  t.is(stat(html, 'members'), '7');
  t.is(stat(html, 'active'), '2');
  t.is(stat(html, 'adoption'), '28.6%');
  // ana $1.50 (the provider's 1.5M haiku tokens at $1/M) + cy $2.00.
  t.regex(html, /data-stat="cost"><span class="money">\$3\.50</);
  const group = (key: string) => (new RegExp(`data-group="${key}"[\\s\\S]*?</div>`).exec(html)?.[0] ?? '').match(/<li><a [^>]*>([^<]+)</g)?.map((x) => x.slice(x.lastIndexOf('">') + 2, -1)) ?? [];
  t.deepEqual(group('new'), ['ana', 'cy']);
  t.deepEqual(group('lapsed'), ['ben']);
  // The three who signed in for this test have no usage either.
  t.deepEqual(group('never'), ['boss', 'dee', 'mo', 'root']);
  t.deepEqual(group('quiet'), ['ben']);
  // Per team: core = ana, ben, dee (1 of 3 active), web = cy.
  t.regex(html, /data-team="core">.*?<td class="num">3<\/td><td class="num">1<\/td><td class="num">33\.3%<\/td>\s*<td class="num" title="1,500,000 tokens">1\.5M<\/td>/s);
  t.regex(html, /data-team="web">.*?<td class="num">1<\/td><td class="num">1<\/td><td class="num">100%<\/td>/s);
  // Median and p90 of 1.5M and 1.6M tokens per active person.
  t.regex(html, /Median <strong>1\.5M<\/strong> · 90th percentile <strong>1\.6M<\/strong>/);
  t.regex(html, /Cloud <strong>3\.1M<\/strong> \(100%\)/);
  // The reconciliation: ana's 1M self-reported tokens were replaced by the provider's numbers.
  t.regex(html, /data-stat="replaced" title="1,000,000 tokens">1M</);
  t.regex(html, /data-team="core">.*?<td class="num">1M<\/td><\/tr>/s);
  // Weekly actives: the chart's label lists the 12 weeks.
  const cal = new DayCalendar('UTC');
  const weeks = new Map<string, Set<string>>();
  for (const [who, ts] of [['ana', recent], ['cy', recent], ['ben', longAgo]] as const) {
    const w = weekStart(cal.dayOf(ts));
    weeks.set(w, (weeks.get(w) ?? new Set()).add(who));
  }
  const label = /aria-label="Weekly active people, 12 weeks: ([\d, ]+)"/.exec(html)?.[1].split(', ').map(Number);
  t.is(label?.length, 12);
  t.is(label?.[11], weeks.get(weekStart(cal.dayOf(now)))?.size ?? 0);
  t.is(label?.reduce((a, b) => a + b, 0), [...weeks.values()].reduce((n, s) => n + s.size, 0));
  // Names from clients are escaped.
  t.false(html.includes('<b>Cy</b>'));
});

test('team filter and window; htmx asks for the #team fragment only', async (t) => {
  const core = await manager.get('/team?window=7d&team=core');
  t.is(stat(core.text, 'members'), '3');
  t.is(stat(core.text, 'active'), '1');
  t.regex(core.text, /<option value="core" selected>core<\/option>/);
  const all = await manager.get('/team?window=all');
  t.is(stat(all.text, 'active'), '3');
  const frag = await manager.request('GET', '/team?window=7d&team=web', undefined, { 'hx-request': 'true', 'hx-target': 'team' });
  t.is(frag.status, 200);
  t.true(frag.text.trimStart().startsWith('<section id="team"'));
  t.false(frag.text.includes('<html'));
  t.regex(frag.headers.get('vary') ?? '', /HX-Request/i);
  t.is(stat(frag.text, 'members'), '1');
});

test('CSV: content type, attachment, one row per person, formula injection neutralised', async (t) => {
  const r = await manager.get('/team.csv?window=7d');
  t.is(r.status, 200);
  t.regex(r.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
  t.regex(r.headers.get('content-disposition') ?? '', /^attachment; filename="tokenboard-team-7d-\d{4}-\d{2}-\d{2}\.csv"$/);
  const lines = r.text.trimEnd().split('\r\n');
  t.true(lines[0].startsWith('"login","name","teams","active_days","sessions","messages","input_tokens"'));
  t.is(lines.length, 8);
  t.true(lines[1].startsWith('"ana","Ana Lima","core","1",'));
  t.true(lines[2].startsWith(`"ben","'=HYPERLINK(""http://x"")","core","0",`), lines[2]);
  t.true(lines[3].startsWith('"boss",'));
  const web = await manager.get('/team.csv?window=7d&team=web');
  t.is(web.text.trimEnd().split('\r\n').length, 2);
  t.regex(web.headers.get('content-disposition') ?? '', /tokenboard-team-web-7d-/);
});

test('members get 403 on /team and /team.csv; admins get in', async (t) => {
  for (const path of ['/team', '/team.csv']) {
    const r = await member.get(path);
    t.is(r.status, 403, path);
    t.regex(r.text, /only for managers and admins/);
  }
  t.is((await root.get('/team')).status, 200);
});
