// A share as a horizontal bar (CSP forbids inline style attributes, so widths are SVG).
import { esc, n } from './escape.ts';

export function barSvg(share: number, opts: { width?: number; height?: number; label?: string } = {}): string {
  const w = opts.width ?? 160;
  const h = opts.height ?? 8;
  const s = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0));
  return `<svg class="bar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" aria-hidden="true">`
    + (opts.label ? `<title>${esc(opts.label)}</title>` : '')
    + `<rect width="${w}" height="${h}" rx="${h / 2}" fill="#e8eaf4"/>`
    + (s > 0 ? `<rect width="${n(Math.max(h, s * w))}" height="${h}" rx="${h / 2}" fill="#4756d6"/>` : '')
    + '</svg>';
}
