// The price editor in a real headless Chromium (Debian's package, driven by playwright-core):
// edit a price inline, see the inline error for a negative number, save, all without a page
// reload; the coverage preview follows typing; the team page draws; a local team made and
// filled on Admin → Teams filters the leaderboard. No CSP violations.
// Screenshots go to test-artifacts/. Waits are generous; nothing asserts on timing.
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
  for (const [login, teams] of [['ana', ['core']], ['ben', ['web']]] as const) {
    await app.createUser(login);
    await updateUser(db, login, { teams: teams });
    const agent = await app.createToken(login);
    await postIngest(app.url, agent, { events: [event({ ts: Date.now() - 3_600_000, model: 'claude-haiku-4-5', input_tokens: 1_000_000, output_tokens: 0, source: 'proxy' })] });
  }
  await app.createUser('root', 'admin');
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
  await app?.stop();
});

async function adminPage(t: { teardown: (fn: () => unknown) => void }): Promise<{ page: Page; problems: string[] }> {
  const opened = await openPage(browser, t);
  await signInPage(app, opened.page, 'root');
  return opened;
}

test.serial('edit a price inline: an inline error for a negative number, then save, without a reload', async (t) => {
  const { page, problems } = await adminPage(t);
  await page.goto(`${app.url}/admin/prices`);
  const row = page.locator('tr[data-model="claude-haiku-4-5"]');
  await row.waitFor({ timeout: WAIT });
  t.is((await row.locator('[data-field="input"]').textContent())?.trim(), '$1');
  // A marker on window survives only if the page is never reloaded.
  await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42; });

  await row.getByRole('link', { name: 'Edit' }).click();
  const input = row.locator('input[name="input"]');
  await input.waitFor({ timeout: WAIT });
  t.is(await input.inputValue(), '1');
  await input.fill('-2');
  await row.getByRole('button', { name: 'Save' }).click();
  const error = row.locator('.field-error');
  await error.waitFor({ timeout: WAIT });
  t.regex((await error.textContent()) ?? '', /input: must be a non-negative number of USD per million tokens, got -2/);
  t.is(await row.locator('input[name="input"]').getAttribute('aria-invalid'), 'true');
  await page.screenshot({ path: join(ARTIFACTS, 'admin-price-error.png'), fullPage: true, caret: 'initial' });

  await row.locator('input[name="input"]').fill('4');
  // The 1-hour cache-write price has its own box beside the 5-minute one.
  await row.getByLabel('1h cache write $/M').fill('8');
  await row.getByRole('button', { name: 'Save' }).click();
  await row.locator('[data-field="input"]').waitFor({ timeout: WAIT });
  t.is((await row.locator('[data-field="input"]').textContent())?.trim(), '$4');
  t.is((await row.locator('[data-field="cache_write_1h"]').textContent())?.trim(), '$8');
  t.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no reload');
  await page.screenshot({ path: join(ARTIFACTS, 'admin-price-saved.png'), fullPage: true, caret: 'initial' });
  t.is((await app.stats('ana')).cost_usd, 4);

  // The history lists the change; the team page shows the new spend (2 × 1M tokens at $4/M).
  await page.reload();
  await page.locator('#history td', { hasText: 'in $4' }).first().waitFor({ timeout: WAIT });
  await page.goto(`${app.url}/team`);
  await page.locator('[data-stat="cost"]', { hasText: '$8.00' }).waitFor({ timeout: WAIT });
  await page.locator('svg.weekly.chart-wide').waitFor({ timeout: WAIT });
  await page.screenshot({ path: join(ARTIFACTS, 'team.png'), fullPage: true, caret: 'initial' });
  t.deepEqual(problems, []);
});

test.serial('the coverage preview follows what is typed; cancel puts the row back', async (t) => {
  const { page, problems } = await adminPage(t);
  await page.goto(`${app.url}/admin/prices`);
  await page.locator('#add input[name="model"]').pressSequentially('claude-haiku-*', { delay: 20 });
  await page.locator('#coverage [data-covered="claude-haiku-4-5"]').waitFor({ timeout: WAIT });
  t.regex((await page.locator('#coverage').textContent()) ?? '', /would cover 1 recorded model/);

  const row = page.locator('tr[data-model="claude-haiku-4-5"]');
  await row.getByRole('link', { name: 'Edit' }).click();
  await row.locator('input[name="input"]').waitFor({ timeout: WAIT });
  await row.getByRole('link', { name: 'Cancel' }).click();
  await row.locator('[data-field="input"]').waitFor({ timeout: WAIT });
  await page.screenshot({ path: join(ARTIFACTS, 'admin-prices.png'), fullPage: true, caret: 'initial' });
  t.deepEqual(problems, []);
});

test.serial('teams from the browser: make a local team, add people, then filter the leaderboard by it', async (t) => {
  const { page, problems } = await adminPage(t);
  await page.goto(`${app.url}/admin/teams`);
  // ben's GitHub team is there, read-only.
  t.is(await page.locator('tr[data-team="web"] form').count(), 0);
  await page.locator('#add input[name="slug"]').fill('Platform');
  await page.locator('#add input[name="name"]').fill('Platform crew');
  await page.getByRole('button', { name: 'Add team' }).click();
  const row = page.locator('tr[data-team="platform"]');
  await row.waitFor({ timeout: WAIT });
  for (const login of ['ana', 'ben']) {
    await row.getByLabel('Login to add to platform').fill(login);
    await row.getByRole('button', { name: 'Add to platform' }).click();
    await page.locator(`tr[data-team="platform"] .team-members a[href="/u/${login}"]`).waitFor({ timeout: WAIT });
  }
  // A login nobody has: the message sits on the team's row, with what was typed.
  await page.locator('tr[data-team="platform"]').getByLabel('Login to add to platform').fill('zed');
  await page.locator('tr[data-team="platform"]').getByRole('button', { name: 'Add to platform' }).click();
  await page.locator('#team-platform-error').waitFor({ timeout: WAIT });
  t.regex((await page.locator('#team-platform-error').textContent()) ?? '', /nobody has the login "zed"/);
  await page.screenshot({ path: join(ARTIFACTS, 'admin-teams.png'), fullPage: true, caret: 'initial' });

  await page.goto(`${app.url}/?window=all`);
  await page.locator('select[name="team"]').selectOption('platform');
  await page.waitForURL(/team=platform/, { timeout: WAIT });
  await page.locator('#board tr[data-login="ben"]').waitFor({ timeout: WAIT });
  t.deepEqual(await page.locator('#board tr[data-login]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-login')).sort()), ['ana', 'ben']);
  // The only console line is the refused form's own status (the page says 404 for a login nobody has).
  t.deepEqual(problems, ['Failed to load resource: the server responded with a status of 404 (Not Found)']);
});
