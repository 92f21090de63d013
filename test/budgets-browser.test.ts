// The budgets page in a real headless Chromium (Debian's package, driven by playwright-core):
// an admin adds a budget with the form and sees its spend bar, a refused limit comes back on
// its field with what was typed, an edit moves the bar; the person then sees the budget on
// their profile. Plain forms, no script needed; no CSP violation or script error.
import test from 'ava';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { setPrice } from '../src/pricing/store.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { withApp, postIngest, event, type TestApp } from './helpers/app.ts';
import { ARTIFACTS, WAIT, launchChromium, newPage, signInPage } from './helpers/chromium.ts';

let app: TestApp;
let browser: Browser;

test.before(async () => {
  app = await withApp();
  // $10 per million input tokens: ana's 3 × 1,000,000 tokens cost $30.
  await setPrice(app.running.services.db, { model: 'budget-model', input: 10, output: 20 }, CLI_ACTOR);
  await app.createUser('ana');
  const r = await postIngest(app.url, await app.createToken('ana'), { events: [1, 2, 3].map(() => event({ model: 'budget-model', input_tokens: 1_000_000, output_tokens: 0 })) });
  if (r.status !== 200) throw new Error(`ingest answered ${r.status}`);
  await app.createUser('root', 'admin');
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
  await app?.stop();
});

/** How full the bar of a budget row is drawn: the filled part's width over the whole bar's. */
async function barFill(page: Page, id: number): Promise<number> {
  const rects = page.locator(`#budget-${id} svg.budget-bar > rect:not([x])`);
  const [track, fill] = [await rects.nth(0).boundingBox(), await rects.nth(1).boundingBox()];
  return fill!.width / track!.width;
}

test.serial('add a budget in the browser and see its spend bar; a refused limit stays on its field; an edit moves the bar', async (t) => {
  const { page, problems } = await newPage(browser, t);
  await signInPage(app, page, 'root');
  await page.goto(`${app.url}/admin/budgets`);
  t.is(await page.locator('#budgets').getByText('No budgets yet.').count(), 1);

  const add = page.locator('#add');
  await add.locator('select[name="scope"]').selectOption('user');
  await add.getByLabel('Team slug or login').fill('ana');
  await add.locator('select[name="period"]').selectOption('month');
  await add.getByLabel('Limit', { exact: true }).fill('100');
  await add.locator('select[name="unit"]').selectOption('usd');
  await add.getByRole('button', { name: 'Add budget' }).click();
  await page.waitForURL(/\/admin\/budgets\?done=saved$/, { timeout: WAIT });
  await page.getByRole('status').filter({ hasText: 'Budget saved.' }).waitFor({ timeout: WAIT });

  const row = page.locator('#budget-1');
  t.is((await row.locator('[data-label="For"]').textContent())?.trim(), 'ana');
  t.is((await row.locator('[data-used]').textContent())?.trim(), '$30.00 of $100.00 30%');
  // The bar as drawn: $30 of $100 is 30% of its width, and it says so to a screen reader.
  const bar = row.getByRole('img', { name: '$30.00 of $100.00 (30%) of the monthly budget' });
  t.is(await bar.count(), 1);
  t.true(Math.abs(await barFill(page, 1) - 0.3) < 0.01, `bar ${await barFill(page, 1)}`);
  await page.screenshot({ path: join(ARTIFACTS, 'admin-budgets-added.png'), fullPage: true, caret: 'initial' });

  // A limit of 0 is refused: the message under the form, the field marked, the values kept.
  await add.locator('select[name="scope"]').selectOption('org');
  await add.getByLabel('Limit', { exact: true }).fill('0');
  await add.getByRole('button', { name: 'Add budget' }).click();
  const error = page.locator('#add-error');
  await error.waitFor({ timeout: WAIT });
  t.is((await error.textContent())?.trim(), 'limit: must be more than 0 USD, got 0');
  const limit = page.locator('#add').getByLabel('Limit', { exact: true });
  t.is(await limit.getAttribute('aria-invalid'), 'true');
  t.is(await limit.inputValue(), '0');
  t.is(await page.locator('#add select[name="scope"]').inputValue(), 'org');
  t.is(await page.locator('tr[data-budget]').count(), 1, 'nothing added');

  // Edit: a $50 limit makes the same $30 60%.
  await page.locator('#budget-1').getByRole('link', { name: 'Edit the budget of ana' }).click();
  const editing = page.locator('#budget-1.edit-row');
  await editing.waitFor({ timeout: WAIT });
  await editing.getByLabel('Limit', { exact: true }).fill('50');
  await editing.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/done=saved#budget-1$/, { timeout: WAIT });
  t.is((await page.locator('#budget-1 [data-used]').textContent())?.trim(), '$30.00 of $50.00 60%');
  t.true(Math.abs(await barFill(page, 1) - 0.6) < 0.01, `bar ${await barFill(page, 1)}`);
  // The refused form's 400 is logged by Chromium as a failed resource; nothing else may be.
  t.deepEqual(problems.filter((p) => !p.includes('status of 400 ')), []);

  // ana sees it on her profile, with the same bar.
  const ana = await newPage(browser, t);
  await signInPage(app, ana.page, 'ana');
  await ana.page.goto(`${app.url}/u/ana`);
  const mine = ana.page.locator('#budgets li[data-budget="1"]');
  await mine.waitFor({ timeout: WAIT });
  t.is((await mine.locator('[data-used]').textContent())?.trim(), '$30.00 of $50.00 60%');
  t.is(await mine.getByRole('img', { name: '$30.00 of $50.00 (60%) of the monthly budget' }).count(), 1);
  await ana.page.screenshot({ path: join(ARTIFACTS, 'profile-budget.png'), fullPage: true, caret: 'initial' });
  t.deepEqual(ana.problems, []);
});
