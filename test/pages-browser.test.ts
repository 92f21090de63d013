// The pages in a real headless Chromium (Debian's package, driven by playwright-core):
// sign in with a one-time link, see the leaderboard, switch the metric without a reload,
// see new ingest appear without a reload, open a profile with its heatmap. Screenshots go
// to test-artifacts/. Waits are generous; nothing asserts on timing.
import test from 'ava';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { withApp, postIngest, event, type TestApp } from './helpers/app.ts';
import { ARTIFACTS, WAIT, launchChromium, newPage as openPage, signInPage } from './helpers/chromium.ts';
import { updateUser } from './helpers/db.ts';


let app: TestApp;
let browser: Browser;
test.before(async () => {
  app = await withApp({ 'org.name': 'Acme' });
  const { db } = app.running.services;
  const people: [string, string, string[], number][] = [['ana', 'Ana Lima', ['core'], 3], ['ben', 'Ben Ode', ['core', 'web'], 2], ['cy', 'Cy Park', ['web'], 1]];
  for (const [login, name, teams, n] of people) {
    await app.createUser(login);
    await updateUser(db, login, { name, teams: teams });
    const agent = await app.createToken(login);
    const day = 86_400_000;
    await postIngest(app.url, agent, { events: Array.from({ length: n * 4 }, (_, i) => event({
      ts: Date.now() - (i % 20) * day - 60_000, model: i % 3 ? 'claude-sonnet-4-5' : 'gpt-5', provider: i % 3 ? 'anthropic' : 'openai',
      input_tokens: 20_000 * n, output_tokens: 3_000 * n, source: i % 2 ? 'proxy' : 'claude-code', session: `${login}-${i % 4}`,
    })) });
  }
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
  await app?.stop();
});

const newPage = (t: { teardown: (fn: () => unknown) => void }) => openPage(browser, t);
const signIn = (page: Page, login: string) => signInPage(app, page, login);

test.serial('sign in, switch metric without a reload, see new usage arrive live', async (t) => {
  const { page, problems } = await newPage(t);
  await signIn(page, 'ana');
  await page.locator('#lb-table tbody tr').first().waitFor({ timeout: WAIT });
  t.deepEqual(await page.locator('#lb-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-login'))), ['ana', 'ben', 'cy']);
  await page.screenshot({ path: join(ARTIFACTS, 'leaderboard.png'), fullPage: true, caret: 'initial' });

  // A marker on window survives only if the page is never reloaded.
  await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42; });
  await page.locator('.tabs a[data-metric="messages"]').click();
  await page.waitForURL(/metric=messages/, { timeout: WAIT });
  await page.locator('.tabs a.active[data-metric="messages"]').waitFor({ timeout: WAIT });
  t.is(await page.locator('#lb-table th.metric').innerText(), 'MESSAGES');
  t.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no reload');

  // New usage from someone not on the board yet appears in the live table.
  await app.createUser('dee');
  const dee = await app.createToken('dee');
  await postIngest(app.url, dee, { events: Array.from({ length: 30 }, () => event({ input_tokens: 1000, output_tokens: 100 })) });
  await page.locator('#lb-table tr[data-login="dee"]').waitFor({ timeout: WAIT });
  t.is(await page.locator('#lb-table tbody tr').first().getAttribute('data-login'), 'dee', '30 messages rank first');
  t.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'still no reload');
  await page.screenshot({ path: join(ARTIFACTS, 'leaderboard-live.png'), fullPage: true, caret: 'initial' });

  // Back restores the previous view.
  await page.goBack();
  await page.waitForURL(`${app.url}/`, { timeout: WAIT });
  await page.locator('.tabs a.active[data-metric="tokens"]').waitFor({ timeout: WAIT });
  t.deepEqual(problems, [], 'no CSP violations or script errors');
});

test.serial('filters and search apply without a reload', async (t) => {
  const { page, problems } = await newPage(t);
  await signIn(page, 'ben');
  await page.evaluate(() => { (window as unknown as { marker: number }).marker = 7; });
  await page.locator('select[name="team"]').selectOption('web');
  await page.waitForURL(/team=web/, { timeout: WAIT });
  await page.locator('#lb-table tr[data-login="ana"]').waitFor({ state: 'detached', timeout: WAIT });
  t.deepEqual(await page.locator('#lb-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-login'))), ['ben', 'cy']);
  t.false(page.url().includes('provider='), 'empty filters stay out of the URL');
  await page.locator('#lb-search').fill('park');
  await page.waitForURL(/q=park/, { timeout: WAIT });
  await page.locator('#lb-table tr[data-login="ben"]').waitFor({ state: 'detached', timeout: WAIT });
  t.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 7);
  await page.setViewportSize({ width: 390, height: 800 });
  await page.screenshot({ path: join(ARTIFACTS, 'leaderboard-phone.png'), fullPage: true, caret: 'initial' });
  t.deepEqual(problems, []);
});

test.serial('open a profile with its heatmap', async (t) => {
  const { page, problems } = await newPage(t);
  await signIn(page, 'cy');
  await page.locator('#lb-table tr[data-login="ana"] .person a').click();
  await page.waitForURL(/\/u\/ana/, { timeout: WAIT });
  const heat = page.locator('svg.heatmap');
  await heat.waitFor({ timeout: WAIT });
  t.is(await heat.locator('rect').count(), 365);
  const today = await heat.locator('rect').last().locator('title').textContent();
  t.regex(today ?? '', /: [\d,]+ tokens, \d+ messages$|: no activity$/);
  t.true(await page.locator('h1', { hasText: 'Ana Lima' }).isVisible());
  await page.screenshot({ path: join(ARTIFACTS, 'profile.png'), fullPage: true, caret: 'initial' });
  // Switching the window swaps the profile in place.
  await page.evaluate(() => { (window as unknown as { marker: number }).marker = 3; });
  await page.locator('nav.segmented a[data-window="7d"]').click();
  await page.waitForURL(/window=7d/, { timeout: WAIT });
  await page.locator('nav.segmented a.active[data-window="7d"]').waitFor({ timeout: WAIT });
  t.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 3);
  await page.goto(`${app.url}/settings`);
  await page.screenshot({ path: join(ARTIFACTS, 'settings.png'), fullPage: true, caret: 'initial' });
  t.deepEqual(problems, []);
});
