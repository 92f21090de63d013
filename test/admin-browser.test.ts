// The price editor in a real headless Chromium (Debian's package, driven by playwright-core):
// edit a price inline, see the inline error for a negative number, save, all without a page
// reload; the coverage preview follows typing; the team page draws. No CSP violations.
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
  await row.getByRole('button', { name: 'Save' }).click();
  await row.locator('[data-field="input"]').waitFor({ timeout: WAIT });
  t.is((await row.locator('[data-field="input"]').textContent())?.trim(), '$4');
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
