// Real headless Chromium for page tests: Debian's /usr/bin/chromium driven by playwright-core
// (never a downloaded browser), pages that record script errors and CSP violations, and
// sign-in through a one-time link as a person would.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../../src/paths.ts';
import type { TestApp } from './app.ts';

export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const WAIT = 20_000;

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A page that records CSP violations and script errors (the CSP forbids anything inline).
 * Screenshots keep the caret: hiding it makes Playwright write style="" on inputs, which
 * htmx's history snapshot would carry back in as an inline style the CSP refuses.
 */
export async function newPage(browser: Browser, t: { teardown: (fn: () => unknown) => void }): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { page, problems };
}

/** Signs in with a one-time link, pressing the button as a person would; lands on /. */
export async function signInPage(app: TestApp, page: Page, login: string): Promise<void> {
  await page.goto(await app.loginLink(login));
  await page.getByRole('button', { name: `Sign in as ${login}` }).click();
  await page.waitForURL(`${app.url}/`, { timeout: WAIT });
}
