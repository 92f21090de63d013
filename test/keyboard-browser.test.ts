// The pages from the keyboard alone, in real headless Chromium: switching the leaderboard's
// tabs keeps focus on the chosen tab (never <body>) and announces the new table politely;
// the ring is drawn where the scrolling strip cannot clip it; the live table's refresh
// leaves focus where it was; profile and team windows, a role change (which says it is
// saved) and the Copy buttons work from the keyboard too.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { withApp, postIngest, event, type TestApp } from './helpers/app.ts';
import { WAIT, launchChromium, newPage as openPage, signInPage } from './helpers/chromium.ts';
import { updateUser, userByLogin } from './helpers/db.ts';

let app: TestApp;
let browser: Browser;
test.before(async () => {
  app = await withApp();
  const { db } = app.running.services;
  for (const [login, n] of [['ana', 3], ['ben', 2]] as const) {
    await app.createUser(login);
    await updateUser(db, login, { teams: ['core'] });
    const agent = await app.createToken(login);
    await postIngest(app.url, agent, { events: Array.from({ length: n * 3 }, () => event({ input_tokens: 10_000 * n, session: `${login}-s` })) });
  }
  await app.createUser('root', 'admin');
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
  await app?.stop();
});

const activeId = (page: Page) => page.evaluate('document.activeElement ? document.activeElement.id : ""') as Promise<string>;
const activeTag = (page: Page) => page.evaluate('document.activeElement ? document.activeElement.tagName : ""') as Promise<string>;

/** Presses Tab from where focus is until an element whose id starts with `prefix` has it (at most 40 presses). */
async function tabTo(page: Page, prefix: string): Promise<string> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const id = await activeId(page);
    if (id.startsWith(prefix)) return id;
  }
  throw new Error(`Tab never reached #${prefix}…`);
}

/** Resolves after the next htmx swap of #id has settled. */
const nextSettle = (page: Page, id: string) => page.evaluate(`new Promise((resolve) => {
  document.addEventListener('htmx:afterSettle', function on(e) {
    if (e.target && e.target.id === ${JSON.stringify(id)}) { document.removeEventListener('htmx:afterSettle', on); resolve(true); }
  });
})`);

test.serial('leaderboard tabs: Enter switches the table, focus stays on the chosen tab, the change is announced', async (t) => {
  const { page, problems } = await openPage(browser, t);
  await signInPage(app, page, 'ana');
  await page.evaluate('window.marker = 1');
  t.is(await tabTo(page, 'metric-'), 'metric-tokens', 'the tabs come first in the board');
  await page.keyboard.press('Tab');
  t.is(await activeId(page), 'metric-cost');
  await page.keyboard.press('Enter');
  await page.waitForURL(/metric=cost/, { timeout: WAIT });
  await page.locator('.tabs a.active[data-metric="cost"]').waitFor({ timeout: WAIT });
  t.is(await activeId(page), 'metric-cost', 'focus stays on the chosen tab');
  t.not(await activeTag(page), 'BODY');
  t.is(await page.evaluate('window.marker'), 1, 'no reload');
  await page.locator('#announcer', { hasText: 'Leaderboard ranked by estimated cost, last 30 days: 2 people' }).waitFor({ timeout: WAIT });
  t.is(await page.locator('#announcer').getAttribute('aria-live'), 'polite');

  // The ring is visible and inside the strip that scrolls (so the strip cannot clip it).
  const ring = await page.evaluate(`(() => {
    const a = document.activeElement; const s = getComputedStyle(a); const strip = a.closest('.tabs');
    const r = a.getBoundingClientRect(); const b = strip.getBoundingClientRect(); const off = parseFloat(s.outlineOffset);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), inside: r.left - off - parseFloat(s.outlineWidth) >= b.left - 0.5 && r.right + off + parseFloat(s.outlineWidth) <= b.right + 0.5 && off < 0 };
  })()`) as { style: string; width: number; inside: boolean };
  t.is(ring.style, 'solid');
  t.true(ring.width >= 2);
  t.true(ring.inside, 'drawn inside the tab');

  // Two more tabs along, by keyboard again.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const chosen = await activeId(page);
  t.is(chosen, 'metric-messages');
  await page.keyboard.press('Enter');
  await page.locator('.tabs a.active[data-metric="messages"]').waitFor({ timeout: WAIT });
  t.is(await activeId(page), 'metric-messages');
  t.deepEqual(problems, []);
});

test.serial('the live table refreshes under a focused row link without taking the focus away', async (t) => {
  const { page, problems } = await openPage(browser, t);
  await signInPage(app, page, 'ben');
  t.is(await tabTo(page, 'lb-person-'), 'lb-person-ana');
  const refreshed = nextSettle(page, 'lb-table');
  // New usage, so the refresh really changes the table.
  await postIngest(app.url, await app.createToken('ben'), { events: [event({ input_tokens: 500 })] });
  await refreshed;
  t.is(await activeId(page), 'lb-person-ana', 'still on the same link after the swap');
  t.deepEqual(problems, []);
});

test.serial('profile and team windows switch from the keyboard and keep focus', async (t) => {
  const { page, problems } = await openPage(browser, t);
  await signInPage(app, page, 'root');
  await page.goto(`${app.url}/u/ana`);
  t.is(await tabTo(page, 'window-'), 'window-today');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('nav.segmented a.active[data-window="7d"]').waitFor({ timeout: WAIT });
  t.is(await activeId(page), 'window-7d');
  await page.locator('#announcer', { hasText: 'profile, last 7 days' }).waitFor({ timeout: WAIT });

  await page.goto(`${app.url}/team`);
  t.is(await tabTo(page, 'window-'), 'window-today');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('nav.segmented a.active[data-window="90d"]').waitFor({ timeout: WAIT });
  t.is(await activeId(page), 'window-90d');
  await page.locator('#announcer', { hasText: 'Team adoption, last 90 days' }).waitFor({ timeout: WAIT });
  t.deepEqual(problems, []);
});

test.serial('a role change from the keyboard says it is saved, and focus stays on Save', async (t) => {
  const { page, problems } = await openPage(browser, t);
  await signInPage(app, page, 'root');
  await page.goto(`${app.url}/admin/users`);
  t.is(await tabTo(page, 'role-ben'), 'role-ben');
  await page.keyboard.press('ArrowDown');
  t.is(await page.locator('#role-ben').inputValue(), 'manager');
  await page.keyboard.press('Tab');
  t.is(await activeId(page), 'role-save-ben');
  await page.keyboard.press('Enter');
  await page.locator('#user-ben .saved', { hasText: 'Role saved' }).waitFor({ timeout: WAIT });
  t.is(await activeId(page), 'role-save-ben');
  t.is((await userByLogin(app.running.services.db, 'ben'))!.role, 'manager');
  t.deepEqual(problems, []);
});

test.serial('Copy puts the set-up block on the clipboard', async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => context.close());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  const page = await context.newPage();
  await signInPage(app, page, 'ana');
  await page.goto(`${app.url}/settings`);
  await page.locator('input[name="name"]').fill('desk');
  await page.locator('input[name="name"]').press('Enter');
  await page.locator('#setup.created').waitFor({ timeout: WAIT });
  const block = await page.locator('#setup-lines').textContent();
  t.regex(block ?? '', /login --server .* --token tbk_/);
  const copy = page.locator('button[data-copy="setup-lines"]');
  t.true(await copy.isVisible(), 'the script shows the button');
  await copy.focus();
  await page.keyboard.press('Enter');
  await page.locator('button[data-copy="setup-lines"]', { hasText: 'Copied' }).waitFor({ timeout: WAIT });
  t.is(await page.evaluate('navigator.clipboard.readText()'), block);
});
