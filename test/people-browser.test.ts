// An admin runs a local-mode company from the browser alone, in real headless Chromium: add a
// person, copy the one-time link, the person opens it and is in with the role given; add
// several from a pasted list (a bad line refuses the paste and keeps the text); and the same
// without JavaScript, on a phone: adding someone and creating a token still work.
import test from 'ava';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { withApp, type TestApp } from './helpers/app.ts';
import { ARTIFACTS, WAIT, launchChromium, newPage as openPage, signInPage } from './helpers/chromium.ts';
import { VIEWPORTS } from './helpers/page-checks.ts';
import { listTokens } from '../src/users/tokens.ts';

let app: TestApp;
let browser: Browser;
test.before(async () => {
  app = await withApp();
  await app.createUser('root', 'admin');
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
  await app?.stop();
});

/** The recipient: a browser of their own opens the link and presses the button. */
async function openLink(url: string, login: string, t: { teardown: (fn: () => unknown) => void }): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: `Sign in as ${login}` }).click();
  await page.waitForURL(`${app.url}/`, { timeout: WAIT });
  return page;
}

test.serial('add a person, copy the link, they sign in with the role given', async (t) => {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  t.teardown(() => context.close());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await signInPage(app, page, 'root');
  await page.goto(`${app.url}/admin/users`);
  const form = page.locator('form#add');
  await form.getByLabel('Login').fill('maya');
  await form.getByLabel('Name').fill('Maya Roth');
  await form.getByLabel('Email').fill('maya@acme.dev');
  await form.getByLabel('Role').selectOption('manager');
  await form.getByRole('button', { name: 'Add and get a sign-in link' }).click();
  const card = page.locator('#handover');
  await card.waitFor({ timeout: WAIT });
  t.regex((await card.locator('h2').textContent()) ?? '', /maya is added as manager/);
  await page.screenshot({ path: join(ARTIFACTS, 'people-added.png'), fullPage: true, caret: 'initial' });
  await card.getByRole('button', { name: /Copy/ }).click();
  const url = String(await page.evaluate('navigator.clipboard.readText()'));
  t.true(url.startsWith(`${app.url}/login/link?code=`));
  t.is(url, (await page.locator('#handover-link').textContent())?.trim() ?? '');
  // A reload shows the link no more.
  await page.reload();
  t.is(await page.locator('#handover').count(), 0);

  const maya = await openLink(url, 'maya', t);
  await maya.goto(`${app.url}/team`);
  await maya.locator('h1', { hasText: 'Team adoption' }).waitFor({ timeout: WAIT });
  t.deepEqual(problems, []);
});

test.serial('add several from a pasted list: a bad line adds nobody, then everyone gets a link', async (t) => {
  const { page, problems } = await openPage(browser, t);
  await signInPage(app, page, 'root');
  await page.goto(`${app.url}/admin/users`);
  await page.getByText('Add several at once').click();
  const list = 'noor@acme.dev\nOmar Said <omar@acme.dev>\npat,Pat Kim,pat@acme.dev,admin\nnot ok!';
  await page.locator('#bulk-list').fill(list);
  await page.getByRole('button', { name: 'Add everyone' }).click();
  const refused = page.locator('#bulk-problems');
  await refused.waitFor({ timeout: WAIT });
  t.regex((await refused.textContent()) ?? '', /Nobody was added: 1 line needs fixing\.[\s\S]*Line 4/);
  t.is(await page.locator('#bulk-list').inputValue(), list, 'the text as pasted');
  t.not(await page.locator('#bulk').getAttribute('open'), null, 'the form is open on its error');

  await page.locator('#bulk-list').fill(list.replace('\nnot ok!', ''));
  await page.getByRole('button', { name: 'Add everyone' }).click();
  await page.locator('#bulk-result').waitFor({ timeout: WAIT });
  t.regex((await page.locator('#bulk-title').textContent()) ?? '', /3 added/);
  await page.screenshot({ path: join(ARTIFACTS, 'people-bulk.png'), fullPage: true, caret: 'initial' });
  const patLink = (await page.locator('tr[data-added="pat"] code.secret').textContent())!.trim();
  const pat = await openLink(patLink, 'pat', t);
  await pat.goto(`${app.url}/admin`);
  await pat.locator('.admin-tiles').waitFor({ timeout: WAIT });
  t.truthy(await page.locator('tr[data-login="noor"]').count(), 'noor is in the table');
  // The refused paste is a 400 on purpose; anything else in the console is a problem.
  t.deepEqual(problems.filter((p) => !/status of 400/.test(p)), []);
});

test.serial('without JavaScript, on a phone: add a person and create a token', async (t) => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, javaScriptEnabled: false });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(await app.loginLink('root'));
  await page.getByRole('button', { name: 'Sign in as root' }).click();
  await page.waitForURL(`${app.url}/`, { timeout: WAIT });
  await page.goto(`${app.url}/admin/users`);
  await page.locator('form#add input[name="login"]').fill('quinn');
  await page.locator('form#add button[type="submit"]').click();
  await page.locator('#handover').waitFor({ timeout: WAIT });
  t.regex((await page.locator('#handover-link').textContent()) ?? '', /\/login\/link\?code=/);
  t.false(await page.locator('#handover button[data-copy]').isVisible(), 'no Copy button that could not work');

  await page.goto(`${app.url}/settings`);
  await page.locator('input[name="name"]').fill('no-js');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.locator('#setup.created').waitFor({ timeout: WAIT });
  t.regex((await page.locator('#setup-lines').textContent()) ?? '', /collect\nnode tokenboard-agent\.mjs service install$/);
  await page.screenshot({ path: join(ARTIFACTS, 'settings-no-js-phone.png'), fullPage: true, caret: 'initial' });
  // Reloading the page (a GET after the redirect) does not create another token or show it again.
  await page.reload();
  t.is(await page.locator('#setup.created').count(), 0);
  t.is((await listTokens(app.running.services.db)).filter((r) => r.name === 'no-js').length, 1);
});
