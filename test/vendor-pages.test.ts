// Cursor and Copilot from the admin panel and on the team page, against the loopback fakes:
// keys added, replaced and removed (shown by their last 4), imports started in the
// background, the unmapped email and GitHub login listed with "assign to", the daily sync,
// then the team page per tool (adoption, weekly, tool mix per team, seats assigned vs used,
// a seat never used), the CSV's per-tool columns, and the same views in Chromium.
import test from 'ava';
import { join } from 'node:path';
import type { Browser as Chromium } from 'playwright-core';
import { withApp, postIngest, event, type TestApp, type Browser } from './helpers/app.ts';
import { fakeCopilot, fakeCursor, type FakeCopilot, type FakeCursor } from './helpers/fake-vendors.ts';
import { ARTIFACTS, WAIT, launchChromium, newPage, signInPage } from './helpers/chromium.ts';
import { axeProblems, overflowOf, VIEWPORTS } from './helpers/page-checks.ts';
import { addUser } from '../src/users/users.ts';
import { settled } from '../src/imports/background.ts';
import { syncRecent } from '../src/imports/sync.ts';
import { updateUser } from './helpers/db.ts';

const cli = { userId: null, login: 'cli' };
const CURSOR_KEY = 'key_aaaaaaaabbbbbbbbccccccccddddddddeeeeeeeeffffffff0000000011112222';
const OLD_CURSOR_KEY = 'crsr_oldoldoldoldoldoldoldoldoldold9999';
const TOKEN = 'ghp_copilotcopilotcopilotcopilot00007777';

// Days relative to today (UTC, the default org time zone), so they fall in the 30-day window.
const dayAgo = (k: number) => new Date(Date.now() - k * 86_400_000).toISOString().slice(0, 10);
const D7 = dayAgo(7);
const D6 = dayAgo(6);
const D5 = dayAgo(5);
const D1 = dayAgo(1);
const ms = (day: string, h: number) => Date.parse(`${day}T${String(h).padStart(2, '0')}:00:00Z`);
const monday = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};

let app: TestApp;
let admin: Browser;
let manager: Browser;
let cursor: FakeCursor;
let copilot: FakeCopilot;
let chromium: Chromium;

test.before(async () => {
  cursor = await fakeCursor({
    key: CURSOR_KEY, pageSize: 2,
    members: [
      { id: 1, name: 'Ana', email: 'ana@acme.dev', role: 'owner', isRemoved: false },
      { id: 2, name: 'Bea', email: 'bea@acme.dev', role: 'member', isRemoved: false },
      { id: 3, name: 'Zed', email: 'zed@acme.dev', role: 'member', isRemoved: false },
    ],
    events: [
      { timestamp: String(ms(D6, 10)), userEmail: 'ana@acme.dev', model: 'claude-4.5-sonnet', kind: 'Usage-based', maxMode: true, isTokenBasedCall: true,
        tokenUsage: { inputTokens: 126, outputTokens: 450, cacheWriteTokens: 6112, cacheReadTokens: 11964, totalCents: 20.18 }, chargedCents: 21.36 },
      { timestamp: String(ms(D5, 9)), userEmail: 'ana@acme.dev', model: 'gpt-5', kind: 'Included in Business', maxMode: false, isTokenBasedCall: true,
        tokenUsage: { inputTokens: 1000, outputTokens: 200, cacheWriteTokens: 0, cacheReadTokens: 3000, totalCents: 0.4 }, chargedCents: 1.5 },
      { timestamp: String(ms(D6, 11)), userEmail: 'zed@acme.dev', model: 'default', kind: 'Usage-based', maxMode: false, isTokenBasedCall: true,
        tokenUsage: { inputTokens: 10, outputTokens: 5, cacheWriteTokens: 0, cacheReadTokens: 0, totalCents: 0 }, chargedCents: 0 },
    ],
  });
  const rec = (r: Record<string, unknown>) => JSON.stringify(r);
  const seat = (login: string, id: number, last: string | null) => ({ created_at: '2026-06-01T09:00:00Z', last_activity_at: last, last_activity_editor: last ? 'vscode/1.105.0/copilot/1.300.0' : null, plan_type: 'business', assignee: { login, id, type: 'User' } });
  copilot = await fakeCopilot({
    token: TOKEN, org: 'acme',
    seats: [seat('octocat', 1, `${D5}T16:00:00Z`), seat('hubot', 2, null), seat('monalisa', 3, `${D6}T09:00:00Z`)],
    reports: {
      [D6]: [[rec({ user_id: 1, user_login: 'octocat', day: D6, user_initiated_interaction_count: 4, code_generation_activity_count: 12, code_acceptance_activity_count: 5, loc_added_sum: 30, loc_deleted_sum: 2,
        totals_by_ide: [{ ide: 'vscode' }], totals_by_cli: { session_count: 1, request_count: 3, prompt_count: 2, token_usage: { output_tokens_sum: 5000, prompt_tokens_sum: 3800 } }, used_cli: true }),
      rec({ user_id: 3, user_login: 'monalisa', day: D6, code_generation_activity_count: 7 })]],
      [D5]: [[rec({ user_id: 1, user_login: 'octocat', day: D5, user_initiated_interaction_count: 1, code_generation_activity_count: 8, code_acceptance_activity_count: 3, loc_added_sum: 10 })]],
    },
  });
  app = await withApp({ 'providers.cursor_api_url': cursor.url, 'github.api_url': copilot.apiUrl, 'github.org': 'acme' });
  const { db } = app.running.services;
  await addUser(db, { login: 'octocat' }, cli);
  await updateUser(db, 'octocat', { github_id: 1, teams: ['core'], name: 'The Octocat' });
  await addUser(db, { login: 'hubot', github: true }, cli);
  await updateUser(db, 'hubot', { teams: ['core'] });
  await addUser(db, { login: 'ana', email: 'ana@acme.dev' }, cli);
  await updateUser(db, 'ana', { teams: ['web'] });
  await addUser(db, { login: 'bea', email: 'bea@acme.dev' }, cli);
  await updateUser(db, 'bea', { teams: ['web'] });
  // ana also uses Claude Code: its logs are another tool, never replaced by Cursor's numbers.
  const tok = await app.createToken('ana');
  await postIngest(app.url, tok, { events: [event({ ts: ms(D6, 15), model: 'claude-sonnet-4-5', input_tokens: 1000, output_tokens: 100, source: 'claude-code' })] });
  admin = await app.signIn('root', 'admin');
  manager = await app.signIn('boss', 'manager');
  chromium = await launchChromium();
});
test.after.always(async () => {
  await chromium?.close();
  await app?.stop();
  await cursor?.close();
  await copilot?.close();
});

const jobOf = (location: string | null) => Number(/^\/admin\/imports\/jobs\/(\d+)$/.exec(location ?? '')?.[1]);
/** The HTML of the first element with this attribute, up to its row or item end. */
const part = (html: string, attr: string) => new RegExp(`${attr}[^>]*>([\\s\\S]*?)</(?:tr|li)>`).exec(html)?.[1] ?? '';
const stat = (html: string, name: string) => new RegExp(`data-stat="${name}"[^>]*>([^<]*)<`).exec(html)?.[1];

test.serial('admin: keys added, replaced and removed, shown by their last 4 only', async (t) => {
  t.is((await admin.post('/admin/imports/keys', { provider: 'cursor', key: OLD_CURSOR_KEY })).status, 303);
  let page = (await admin.get('/admin/imports')).text;
  t.regex(page, /data-provider="cursor"><td>Cursor<\/td>\s*<td><code>…9999<\/code>/);
  t.is((await admin.post('/admin/imports/keys', { provider: 'cursor', key: CURSOR_KEY })).status, 303);
  page = (await admin.get('/admin/imports')).text;
  t.regex(page, /data-provider="cursor"><td>Cursor<\/td>\s*<td><code>…2222<\/code>/);
  t.false(page.includes(CURSOR_KEY) || page.includes(OLD_CURSOR_KEY));

  t.is((await admin.post('/admin/imports/keys', { provider: 'copilot', key: TOKEN })).status, 303);
  const removed = await admin.post('/admin/imports/keys/remove', { provider: 'copilot' });
  t.is(removed.location, '/admin/imports?done=key-removed');
  page = (await admin.get(removed.location!)).text;
  t.regex(page, /data-provider="copilot"><td>GitHub Copilot<\/td>\s*<td><span class="muted">none<\/span>/);
  t.regex(page, /Key removed/);
  const none = await admin.post('/admin/imports', { provider: 'copilot', from: D7, to: D1 });
  t.is(none.status, 400);
  t.regex(none.text, /key: store a GitHub token for Copilot first/);
  t.is((await admin.post('/admin/imports/keys', { provider: 'copilot', key: TOKEN })).status, 303);
  t.regex((await admin.get('/admin/imports')).text, /data-provider="copilot"><td>GitHub Copilot<\/td>\s*<td><code>…7777<\/code>/);
  t.false(app.logs.join('\n').includes(TOKEN));
});

test.serial('admin: both imports run in the background; the unmapped email and GitHub login are listed to assign', async (t) => {
  for (const provider of ['cursor', 'copilot']) {
    const r = await admin.post('/admin/imports', { provider, from: D7, to: D1 });
    t.is(r.status, 303, provider);
    await settled(app.running.services, jobOf(r.location));
    const job = (await admin.get(r.location!)).text;
    t.regex(job, /data-status="done"/, provider);
  }
  const page = (await admin.get('/admin/imports')).text;
  t.regex(page, /data-unmapped="zed@acme.dev"><td>Cursor<\/td>[\s\S]*?<option value="email zed@acme.dev">email: zed@acme.dev<\/option>/);
  t.regex(page, /data-unmapped="monalisa"><td>GitHub Copilot<\/td>[\s\S]*?<option value="github_id 3">GitHub user id: 3<\/option><option value="github_login monalisa">GitHub login: monalisa<\/option>/);
  t.is((await app.stats('octocat')).events, 12 + 3 + 8);
  t.is((await app.stats('ana')).events, 2 + 1);
});

test.serial('the daily sync imports the recent days of both, once, changing nothing already stored', async (t) => {
  const s = app.running.services;
  // As on the day before today (the server's own start-up sync has taken today's period).
  const now = Date.now() - 86_400_000;
  const results = await syncRecent(s, now);
  t.deepEqual(results.map((r) => [r.provider, r.events, r.error]), [['cursor', 0, undefined], ['copilot', 0, undefined]]);
  // sync_days 3 from the day before today; Copilot two days further back (its days arrive late).
  const last = cursor.calls.filter((c) => c.method === 'POST').at(-1)!;
  t.is(last.body!.startDate, Date.parse(`${dayAgo(4)}T00:00:00Z`));
  const days = copilot.apiCalls.filter((c) => c.path.endsWith('/users-1-day')).slice(-5).map((c) => c.query.get('day'));
  t.deepEqual(days, [dayAgo(6), dayAgo(5), dayAgo(4), dayAgo(3), dayAgo(2)]);
  t.deepEqual(await syncRecent(s, now), [], 'once a day');
});

test.serial('team page: adoption per tool with where its numbers come from, tool mix per team, seats assigned vs used', async (t) => {
  const html = (await manager.get('/team')).text;
  const copilotRow = part(html, 'data-tool="github-copilot"');
  const cursorRow = part(html, 'data-tool="cursor-admin"');
  const claudeRow = part(html, 'data-tool="claude-code"');
  // Copilot: octocat alone, 12 + 3 + 8 messages, 3,800 + 5,000 CLI tokens.
  t.deepEqual([stat(copilotRow, 'active'), stat(copilotRow, 'messages'), stat(copilotRow, 'tokens')], ['1', '23', '8.8K']);
  t.regex(copilotRow, /GitHub Copilot usage metrics \(daily counts; tokens only for the CLI\)<\/span> <span class="pill trust-provider"/);
  // Cursor: ana's two requests (zed is nobody here); 126 + 450 + 6,112 + 11,964 + 1,000 + 200 + 3,000 tokens.
  t.deepEqual([stat(cursorRow, 'active'), stat(cursorRow, 'messages')], ['1', '2']);
  t.regex(cursorRow, /data-stat="tokens" title="22,852 tokens">22.9K</);
  t.regex(cursorRow, /Cursor Admin API/);
  // Claude Code: ana's own log, 1,100 tokens, not replaced by Cursor's numbers of that day.
  t.deepEqual([stat(claudeRow, 'active'), stat(claudeRow, 'messages')], ['1', '1']);
  t.regex(claudeRow, /local log files, read by the agent<\/span> <span class="pill trust-self-reported"/);
  // Ordered by active people, then messages.
  t.deepEqual([...html.matchAll(/<tr data-tool="([^"]+)"><th scope="row">[^<]*<br>/g)].map((m) => m[1]), ['github-copilot', 'cursor-admin', 'claude-code']);

  // The weekly table: octocat's days fall in the weeks of D6 and D5 (one or two weeks).
  const weekly = part(html.slice(html.indexOf('id="weekly-tools"')), 'data-tool="github-copilot"');
  const cells = [...weekly.matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
  t.is(cells.length, 12);
  t.is(cells.reduce((a, b) => a + b, 0), new Set([monday(D6), monday(D5)]).size);

  // Tool mix per team: core (octocat, hubot) has one Copilot user; web (ana, bea) one Cursor and one Claude Code user.
  const core = part(html.slice(html.indexOf('id="tool-mix"')), 'data-team="core"');
  t.regex(core, /data-tool="github-copilot">1 <span class="muted small">50%<\/span>/);
  t.regex(core, /data-tool="cursor-admin">0 /);
  const web = part(html.slice(html.indexOf('id="tool-mix"')), 'data-team="web"');
  t.regex(web, /data-tool="cursor-admin">1 <span class="muted small">50%/);
  t.regex(web, /data-tool="claude-code">1 /);

  // Seats: Copilot 3 (octocat and monalisa used them, hubot's was never used); Cursor 3
  // (ana and zed used theirs; bea had no usage in the window).
  const seats = html.slice(html.indexOf('id="seats"'));
  const cs = part(seats, 'data-seats="github-copilot"');
  t.deepEqual([stat(cs, 'assigned'), stat(cs, 'used'), stat(cs, 'unused')], ['3', '2', '1']);
  const us = part(seats, 'data-seats="cursor-admin"');
  t.deepEqual([stat(us, 'assigned'), stat(us, 'used'), stat(us, 'unused')], ['3', '2', '1']);
  t.regex(seats, /data-unused="github-copilot">\s*<li data-seat="hubot"><code>hubot<\/code> \(<a href="\/u\/hubot">hubot<\/a>\) · last activity: never used/);
  t.regex(seats, /data-unused="cursor-admin">\s*<li data-seat="bea@acme.dev"><code>bea@acme.dev<\/code> \(<a href="\/u\/bea">bea<\/a>\) · last activity: no usage in this window/);
  t.regex(seats, /1 GitHub Copilot seat\(s\) belong to people nobody here is matched to/);

  // A team: only its people's seats.
  const coreOnly = (await manager.get('/team?team=core')).text;
  const cc = part(coreOnly.slice(coreOnly.indexOf('id="seats"')), 'data-seats="github-copilot"');
  t.deepEqual([stat(cc, 'assigned'), stat(cc, 'used'), stat(cc, 'unused')], ['2', '1', '1']);
  t.deepEqual([stat(part(coreOnly, 'data-tool="github-copilot"'), 'active'), stat(part(coreOnly, 'data-tool="cursor-admin"'), 'active')], ['1', '0']);
});

test.serial('the CSV gains the tools, the seats and per-tool columns', async (t) => {
  // Every cell is quoted, and none of these holds a comma or a quote.
  const lines = (await manager.get('/team.csv')).text.trimEnd().split('\r\n').map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  const head = lines[0];
  const tail = ['tools', 'cursor_seat', 'copilot_seat', 'claude-code_active_days', 'claude-code_messages', 'claude-code_tokens',
    'cursor-admin_active_days', 'cursor-admin_messages', 'cursor-admin_tokens', 'github-copilot_active_days', 'github-copilot_messages', 'github-copilot_tokens'];
  t.deepEqual(head.slice(-tail.length), tail);
  const row = (login: string) => lines.find((l) => l[0] === login)!.slice(-tail.length);
  t.deepEqual(row('octocat'), ['github-copilot', 'no', 'yes', '0', '0', '0', '0', '0', '0', '2', '23', '8800']);
  t.deepEqual(row('ana'), ['claude-code cursor-admin', 'yes', 'no', '1', '1', '1100', '2', '2', '22852', '0', '0', '0']);
  t.deepEqual(row('hubot'), ['', 'no', 'yes', '0', '0', '0', '0', '0', '0', '0', '0', '0']);
  t.deepEqual(row('bea'), ['', 'yes', 'no', '0', '0', '0', '0', '0', '0', '0', '0', '0']);
});

test.serial('Chromium: the per-tool and seats views at 1280 and 390 px, and a team filter swapping them in place', async (t) => {
  const { page, problems } = await newPage(chromium, t);
  await signInPage(app, page, 'boss');
  await page.goto(`${app.url}/team`);
  const tools = page.locator('#tools-table');
  await tools.waitFor({ timeout: WAIT });
  t.true(await tools.locator('tr[data-tool="github-copilot"]').isVisible());
  t.is((await tools.locator('tr[data-tool="github-copilot"] [data-stat="messages"]').innerText()).trim(), '23');
  t.true(await page.locator('#seats tr[data-seats="github-copilot"]').isVisible());
  t.is((await page.locator('#seats tr[data-seats="github-copilot"] [data-stat="unused"]').innerText()).trim(), '1');
  t.true(await page.locator('#seats li[data-seat="hubot"]').isVisible());
  // The weekly table is behind a disclosure: open it as a person would.
  await page.locator('#weekly-tools summary').click();
  t.true(await page.locator('#weekly-tools tr[data-tool="cursor-admin"]').isVisible());
  for (const size of ['desktop', 'phone'] as const) {
    await page.setViewportSize(VIEWPORTS[size]);
    // The page makes boxes that scroll sideways reachable from the keyboard once it has seen the new size.
    await page.waitForFunction(() => [...document.querySelectorAll('.scroll')].every((el) => el.scrollWidth <= el.clientWidth + 1 || el.hasAttribute('tabindex') || el.querySelector('a[href], button, input, select, summary')), undefined, { timeout: WAIT });
    const o = await overflowOf(page);
    t.true(o.scrollWidth <= o.innerWidth, `${size}: no sideways scroll (${o.culprits.join(', ')})`);
    t.deepEqual(await axeProblems(page), [], size);
    await page.screenshot({ path: join(ARTIFACTS, `team-tools-${size}.png`), fullPage: true, caret: 'initial' });
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  await page.evaluate(() => { (window as unknown as { marker: number }).marker = 9; });
  await page.locator('select[name="team"]').selectOption('web');
  await page.waitForURL(/team=web/, { timeout: WAIT });
  await page.locator('#seats tr[data-seats="github-copilot"] [data-stat="assigned"]', { hasText: '0' }).waitFor({ timeout: WAIT });
  t.is((await page.locator('#tools-table tr[data-tool="cursor-admin"] [data-stat="active"]').innerText()).trim(), '1');
  t.is((await page.locator('#seats tr[data-seats="cursor-admin"] [data-stat="assigned"]').innerText()).trim(), '2', 'ana and bea');
  t.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 9, 'swapped in place, no reload');
  t.deepEqual(problems, [], 'no CSP violations or script errors');
});
