// Daily (or weekly) tokens as bars with a light grid: the profile's trend chart. Drawn
// twice by the presenter, wide and narrow (app.css shows one by screen width), so its
// labels stay readable: a chart scaled down to a phone would print them ~4 px high.
import type { DayValue } from '../../usage/streaks.ts';
import { compact, int, longDay, shortDay } from '../format.ts';
import { esc, n } from './escape.ts';

export interface ChartSize {
  width: number;
  height: number;
  /** Label font size in the chart's own units (≈ px when shown at its width). */
  font: number;
  /** Extra class on the <svg>: chart-wide or chart-narrow. */
  className?: string;
}

export const TREND_WIDE: ChartSize = { width: 960, height: 220, font: 12, className: 'chart-wide' };
export const TREND_NARROW: ChartSize = { width: 360, height: 200, font: 11, className: 'chart-narrow' };

export function trendSvg(points: DayValue[], bucket: 'day' | 'week', size: ChartSize = TREND_WIDE): string {
  const { width: w, height: h, font } = size;
  const left = Math.round(font * 4.2);
  const bottom = font + 10;
  const top = 8;
  const plotW = w - left - 4;
  const plotH = h - top - bottom;
  const max = Math.max(0, ...points.map((p) => p.tokens));
  const slot = points.length ? plotW / points.length : plotW;
  const barW = Math.max(1, slot * 0.72);
  const parts: string[] = [];
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH - f * plotH;
    parts.push(`<line x1="${left}" x2="${w - 4}" y1="${n(y)}" y2="${n(y)}" stroke="#e3e6ef" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${n(y + font / 3)}" text-anchor="end">${esc(compact(max * f))}</text>`);
  }
  points.forEach((p, i) => {
    const bh = max > 0 ? (p.tokens / max) * plotH : 0;
    const x = left + i * slot + (slot - barW) / 2;
    const what = bucket === 'week' ? `week of ${longDay(p.day)}` : longDay(p.day);
    parts.push(`<rect x="${n(x)}" y="${n(top + plotH - bh)}" width="${n(barW)}" height="${n(Math.max(bh, p.tokens > 0 ? 1 : 0))}" rx="1.5" fill="#4756d6">`
      + `<title>${esc(`${what}: ${int(p.tokens)} tokens, ${int(p.messages)} messages`)}</title></rect>`);
  });
  if (points.length) {
    parts.push(`<text x="${left}" y="${h - 4}">${esc(shortDay(points[0].day))}</text>`);
    parts.push(`<text x="${w - 4}" y="${h - 4}" text-anchor="end">${esc(shortDay(points[points.length - 1].day))}</text>`);
  }
  const label = `Tokens per ${bucket}, ${points.length} ${bucket}s`;
  return `<svg class="trend${size.className ? ` ${size.className}` : ''}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}" font-size="${font}" fill="#5b6475" font-family="system-ui, sans-serif">`
    + parts.join('') + '</svg>';
}
