// Every page in real headless Chromium at 1280x900 and at a phone's 390x844: no sideways
// page scroll (tables scroll inside their card or stack), no serious or critical axe-core
// violation, no CSP violation or script error; a screenshot of each in test-artifacts/pages/.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { withApp, postIngest, event, tempDir, type TestApp } from './helpers/app.ts';
import { ARTIFACTS, WAIT, launchChromium } from './helpers/chromium.ts';
import { axeProblems, overflowOf, VIEWPORTS } from './helpers/page-checks.ts';
import { createJob } from '../src/imports/run.ts';
import { addMember, addTeam } from '../src/teams/teams.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { updateUser } from './helpers/db.ts';
import { receiver, type Receiver } from './helpers/receiver.ts';
import { setBudget } from '../src/budgets/budgets.ts';
import { addDestination, testDestination } from '../src/alerts/destinations.ts';

const SHOTS = join(ARTIFACTS, 'pages');
const DAY = 86_400_000;
let app: TestApp;
let browser: Browser;
let hooks: Receiver[] = [];
const contexts = new Map<string, BrowserContext>();

test.before(async () => {
  app = await withApp();
  const { db } = app.running.services;
  const people: [string, string, string[], number][] = [['ana', 'Ana Lima', ['core', 'platform-infrastructure'], 5], ['ben', 'Benedikt Oderwald-Schmidt', ['web'], 3], ['cy', 'Cy Park', ['web'], 1]];
  for (const [login, name, teams, n] of people) {
    await app.createUser(login);
    await updateUser(db, login, { name, teams: teams, email: `${login}@acme.example` });
    const agent = await app.createToken(login, `${login}-laptop`);
    // A year of usage (the heatmap), long model ids, one model without a price.
    const events = Array.from({ length: 40 * n }, (_, i) => event({
      ts: Date.now() - ((i * 37) % 360) * DAY - 60_000, session: `${login}-${i % 9}`, skills: i % 5 ? [] : ['frontend-design'],
      model: ['claude-sonnet-4-5-20250929', 'gpt-5-codex', 'acme-coder-large-preview-2026-11'][i % 3], provider: ['anthropic', 'openai', 'acme'][i % 3],
      input_tokens: 30_000 * n, output_tokens: 4_000 * n, cache_read_tokens: 90_000, source: i % 2 ? 'proxy' : 'claude-code',
    }));
    for (let i = 0; i < events.length; i += 200) await postIngest(app.url, agent, { events: events.slice(i, i + 200) });
  }
  await app.createUser('root', 'admin');
  // A local team beside the GitHub ones, with a long name (Admin → Teams).
  await addTeam(db, { slug: 'developer-experience-and-tooling', name: 'Developer experience and internal tooling' }, CLI_ACTOR);
  for (const login of ['ana', 'ben', 'cy']) await addMember(db, 'developer-experience-and-tooling', login, CLI_ACTOR);
  await createJob(app.running.services, 'anthropic', '2026-10-01', '2026-10-31', CLI_ACTOR);
  // Budgets (a long team slug, a person near the limit, the org in tokens) and destinations
  // with a log: one that works, one that refuses (shown as failing).
  for (const b of [
    { scope: 'team', subject: 'platform-infrastructure', period: 'month', limit_usd: 250 },
    { scope: 'user', subject: 'ana', period: 'week', limit_usd: 5, thresholds: '50, 80, 100, 150' },
    { scope: 'org', period: 'month', limit_tokens: 900_000_000 },
  ]) await setBudget(db, b, CLI_ACTOR);
  hooks = [await receiver(), await receiver(() => 410)];
  for (const [i, h] of hooks.entries()) {
    const made = await addDestination(app.running.services, { kind: i ? 'webhook' : 'slack', url: `${h.url}/services/T0001/B0002/abcdefghijklmnop`, events: 'budget,import-failed' }, CLI_ACTOR);
    await testDestination(app.running.services, made.destination.id, CLI_ACTOR);
  }
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});
test.after.always(async () => {
  for (const c of contexts.values()) await c.close();
  await browser?.close();
  await app?.stop();
  for (const h of hooks) await h.close();
});

interface Visit {
  name: string;
  /** Signed in as root (an admin) unless anonymous. */
  anonymous?: boolean;
  /** Goes to the page and leaves it in the state to check. */
  open(page: Page): Promise<void>;
  /** The status the page itself answers with (a refused form is a 400), which Chromium logs as a console error. */
  answers?: number;
}

const goto = (path: string) => async (page: Page) => { await page.goto(`${app.url}${path}`); };

const VISITS: Visit[] = [
  { name: 'login', anonymous: true, open: goto('/login') },
  { name: 'login-link', anonymous: true, open: async (page) => { await page.goto(await app.loginLink('cy')); } },
  { name: 'leaderboard', open: goto('/') },
  { name: 'leaderboard-cost', open: goto('/?metric=cost&window=all') },
  { name: 'profile', open: goto('/u/ana') },
  { name: 'profile-own', open: goto('/u/root') },
  { name: 'team', open: goto('/team') },
  { name: 'settings', open: goto('/settings') },
  {
    name: 'settings-new-token',
    async open(page) {
      await page.goto(`${app.url}/settings`);
      await page.locator('input[name="name"]').fill('phone-check');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.locator('#setup.created').waitFor({ timeout: WAIT });
    },
  },
  { name: 'admin', open: goto('/admin') },
  { name: 'admin-users', open: goto('/admin/users') },
  {
    name: 'admin-users-added',
    async open(page) {
      await page.goto(`${app.url}/admin/users`);
      const login = `new-${Math.random().toString(36).slice(2, 8)}`;
      await page.locator('#add input[name="login"]').fill(login);
      await page.locator('#add button[type="submit"]').click();
      await page.locator('#handover').waitFor({ timeout: WAIT });
    },
  },
  { name: 'admin-teams', open: goto('/admin/teams') },
  { name: 'admin-tokens', open: goto('/admin/tokens') },
  { name: 'admin-prices', open: goto('/admin/prices') },
  {
    name: 'admin-prices-import',
    async open(page) {
      await page.goto(`${app.url}/admin/prices`);
      const file = join(tempDir('tb-litellm-'), 'model_prices_and_context_window.json');
      writeFileSync(file, JSON.stringify({ 'acme-coder-large-preview-2026-11': { litellm_provider: 'acme', input_cost_per_token: 0.000002, output_cost_per_token: 0.000008 } }));
      await page.locator('input[type="file"]').setInputFiles(file);
      await page.getByRole('button', { name: 'Preview import' }).click();
      await page.waitForURL(/\/admin\/prices\/import$/, { timeout: WAIT });
    },
  },
  { name: 'admin-imports', open: goto('/admin/imports') },
  { name: 'admin-import-job', open: goto('/admin/imports/jobs/1') },
  { name: 'admin-budgets', open: goto('/admin/budgets') },
  {
    name: 'admin-budgets-error',
    answers: 400,
    async open(page) {
      await page.goto(`${app.url}/admin/budgets`);
      await page.locator('#add input[name="subject"]').fill('platform-infrastructure');
      await page.locator('#add input[name="limit"]').fill('0');
      await page.getByRole('button', { name: 'Add budget' }).click();
      await page.locator('#add-error').waitFor({ timeout: WAIT });
    },
  },
  { name: 'admin-alerts', open: goto('/admin/alerts') },
  {
    name: 'admin-alerts-added',
    async open(page) {
      await page.goto(`${app.url}/admin/alerts`);
      await page.locator('#add select[name="kind"]').selectOption('webhook');
      await page.locator('#add input[name="url"]').fill(`${hooks[0].url}/hooks/tokenboard-alerts-receiver`);
      await page.getByRole('button', { name: 'Add destination' }).click();
      await page.locator('#secret').waitFor({ timeout: WAIT });
    },
  },
  { name: 'admin-settings', open: goto('/admin/settings') },
  { name: 'admin-audit', open: goto('/admin/audit') },
  { name: 'not-found', open: goto('/no/such/page') },
];

async function contextFor(size: keyof typeof VIEWPORTS, anonymous: boolean): Promise<BrowserContext> {
  const key = `${size}-${anonymous}`;
  let context = contexts.get(key);
  if (context) return context;
  context = await browser.newContext({ viewport: VIEWPORTS[size] });
  contexts.set(key, context);
  if (!anonymous) {
    const page = await context.newPage();
    await page.goto(await app.loginLink('root'));
    await page.getByRole('button', { name: 'Sign in as root' }).click();
    await page.waitForURL(`${app.url}/`, { timeout: WAIT });
    await page.close();
  }
  return context;
}

for (const visit of VISITS) {
  test.serial(`${visit.name}: fits 1280 and 390 px, no serious axe violation`, async (t) => {
    for (const size of ['desktop', 'phone'] as const) {
      const context = await contextFor(size, Boolean(visit.anonymous));
      const page = await context.newPage();
      t.teardown(() => page.close());
      const problems: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text()) && !(visit.answers && m.text().includes(`status of ${visit.answers} `))) problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(String(e)));
      await visit.open(page);
      await page.waitForLoadState('load');
      await page.screenshot({ path: join(SHOTS, `${visit.name}-${size}.png`), fullPage: true, caret: 'initial' });
      const o = await overflowOf(page);
      t.true(o.scrollWidth <= o.innerWidth, `${size}: the page is ${o.scrollWidth} px wide in a ${o.innerWidth} px window; sticking out: ${o.culprits.join(', ')}`);
      const axe = await axeProblems(page);
      t.deepEqual(axe, [], `${size}: axe-core`);
      t.deepEqual(problems, [], `${size}: CSP violations or script errors`);
    }
  });
}

test.serial('the checks themselves catch what they look for', async (t) => {
  // A check that cannot fail proves nothing: plant a sideways overflow and a nameless button.
  const context = await contextFor('phone', true);
  const page = await context.newPage();
  t.teardown(() => page.close());
  await page.goto(`${app.url}/login`);
  await page.evaluate(`(() => {
    const wide = document.createElement('div'); wide.id = 'planted-wide'; wide.textContent = 'x'; wide.setAttribute('class', 'planted');
    document.querySelector('main').append(wide);
    const sheet = new CSSStyleSheet(); sheet.replaceSync('.planted { width: 900px }'); document.adoptedStyleSheets = [sheet];
    document.querySelector('main').append(document.createElement('button'));
  })()`);
  const o = await overflowOf(page);
  t.true(o.scrollWidth > o.innerWidth);
  t.true(o.culprits.some((c) => c.startsWith('div#planted-wide')), o.culprits.join(', '));
  t.true((await axeProblems(page)).some((p) => p.id === 'button-name' && p.impact === 'critical'));
});

test.serial('chart labels stay readable (10 px or more) on both sizes; the heatmap shows the recent weeks first on a phone', async (t) => {
  for (const size of ['desktop', 'phone'] as const) {
    const page = await (await contextFor(size, false)).newPage();
    t.teardown(() => page.close());
    for (const path of ['/team', '/u/ana']) {
      await page.goto(`${app.url}${path}`);
      const sizes = await page.evaluate(`[...document.querySelectorAll('svg.weekly, svg.trend, svg.heatmap')]
        .filter((s) => getComputedStyle(s).display !== 'none')
        .map((s) => ({ cls: s.getAttribute('class'), px: parseFloat(s.getAttribute('font-size')) * s.getBoundingClientRect().width / s.viewBox.baseVal.width }))`) as { cls: string; px: number }[];
      t.is(sizes.length, path === '/team' ? 1 : 2, `${size} ${path}: one drawing of each chart shows`);
      for (const s of sizes) t.true(s.px >= 10, `${size} ${path} ${s.cls}: labels ${s.px.toFixed(1)} px`);
    }
    // The heatmap: at its right end (today) unless the whole year fits.
    const heat = await page.evaluate(`(() => { const w = document.querySelector('.heatmap-wrap'); const last = w.querySelector('rect:last-of-type').getBoundingClientRect(); const box = w.getBoundingClientRect();
      return { scrolls: w.scrollWidth > w.clientWidth, fill: w.querySelector('svg').getBoundingClientRect().width / w.clientWidth, todayVisible: last.right <= box.right + 0.5 && last.left >= box.left - 0.5 }; })()`) as { scrolls: boolean; fill: number; todayVisible: boolean };
    t.true(heat.todayVisible, `${size}: today's cell is in view`);
    t.is(heat.scrolls, size === 'phone', `${size}: the year ${size === 'phone' ? 'scrolls inside its card' : 'fits its card'}`);
    if (size === 'desktop') t.true(heat.fill > 0.98, `the year fills its card (${Math.round(heat.fill * 100)}%)`);
  }
});

test.serial('rows of Users and Prices end at one line, the Actions cell too; the header names the org once', async (t) => {
  const page = await (await contextFor('desktop', false)).newPage();
  t.teardown(() => page.close());
  for (const path of ['/admin/users', '/admin/prices']) {
    await page.goto(`${app.url}${path}`);
    const rows = await page.evaluate(`[...document.querySelectorAll('#users-table tbody tr, #prices tbody tr')].map((tr) => {
      const cells = [...tr.children].map((td) => ({ bottom: Math.round(td.getBoundingClientRect().bottom), display: getComputedStyle(td).display }));
      return { bottoms: [...new Set(cells.map((c) => c.bottom))], displays: [...new Set(cells.map((c) => c.display))] };
    })`) as { bottoms: number[]; displays: string[] }[];
    t.true(rows.length > 1, path);
    for (const r of rows) {
      t.is(r.bottoms.length, 1, `${path}: every cell of a row ends at the same line (${r.bottoms.join(', ')})`);
      t.deepEqual(r.displays, ['table-cell']);
    }
  }
  // The org name is the default ("TokenBoard"): shown once, as the brand.
  t.is(await page.locator('header.top').getByText('TokenBoard', { exact: true }).count(), 1);
  t.is(await page.locator('header.top .org').count(), 0);
});
