// A budget's use as a bar with a tick at each threshold (widths in SVG: the CSP forbids
// inline styles). The bar spans the limit, or the highest threshold when one is above 100%.
import { esc, n } from './escape.ts';

export function budgetBarSvg(fraction: number, thresholds: readonly number[], label: string, width = 220, height = 10): string {
  const span = Math.max(1, ...thresholds.map((t) => t / 100));
  const f = Math.min(span, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) / span;
  const fill = fraction >= 1 ? '#c0392b' : fraction >= 0.8 ? '#b7791f' : '#4756d6';
  const ticks = thresholds.map((t) => `<rect x="${n(Math.min(width - 1, (t / 100 / span) * width))}" y="0" width="1.5" height="${height}" fill="#1b1f3b" opacity=".45"/>`).join('');
  return `<svg class="bar budget-bar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">`
    + `<title>${esc(label)}</title><rect width="${width}" height="${height}" rx="${height / 2}" fill="#e8eaf4"/>`
    + (f > 0 ? `<rect width="${n(Math.max(height, f * width))}" height="${height}" rx="${height / 2}" fill="${fill}"/>` : '')
    + ticks + '</svg>';
}
