// Checks a page in Chromium the way a phone and a screen-reader user meet it:
//  - sideways overflow: the page must not scroll horizontally (scrollWidth <= innerWidth);
//    the elements that stick out past the viewport, outside any scroll container, are named;
//  - axe-core (the pinned devDependency), evaluated in the page through the DevTools
//    protocol, which the page's CSP does not apply to; serious and critical violations only.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface Overflow {
  scrollWidth: number;
  innerWidth: number;
  /** Elements whose right edge is past the viewport and that no scrolling box contains. */
  culprits: string[];
}

// Plain JavaScript text: functions written in this TypeScript file would reach the page
// rewritten by tsx (with a __name helper the page does not have).
const OVERFLOW_SCRIPT = `(() => {
  const vw = window.innerWidth;
  // A box clips what it contains; an absolutely positioned element escapes every box below
  // its containing block (a classic: .sr-only text inside a scrolling table).
  const clipped = (el) => {
    const pos = getComputedStyle(el).position;
    const from = pos === 'absolute' || pos === 'fixed' ? el.offsetParent : el.parentElement;
    for (let p = from; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') return true;
    }
    return false;
  };
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return el.tagName.toLowerCase() + id + cls + ' (right ' + Math.round(el.getBoundingClientRect().right) + ')';
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 0.5 || clipped(el)) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && parent.getBoundingClientRect().right > vw + 0.5 && !clipped(parent)) continue;
    culprits.push(describe(el));
  }
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, culprits: culprits.slice(0, 8) };
})()`;

export async function overflowOf(page: Page): Promise<Overflow> {
  return page.evaluate(OVERFLOW_SCRIPT) as Promise<Overflow>;
}

const AXE_RUN = `(async () => {
  const r = await window.axe.run(document, { resultTypes: ['violations'] });
  return r.violations.map((v) => ({ id: v.id, impact: v.impact || 'unknown', help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(' ')) }));
})()`;

export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Serious and critical axe-core violations on the page as it is now. */
export async function axeProblems(page: Page): Promise<AxeProblem[]> {
  if (!(await page.evaluate('"axe" in window'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(AXE_RUN) as AxeProblem[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
