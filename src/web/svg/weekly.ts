// Weekly active users as labelled bars: the team page's 12-week adoption trend. Drawn wide
// and narrow like the trend chart (see trend.ts), so the labels stay readable on a phone.
import { longDay, shortDay } from '../format.ts';
import { esc, n } from './escape.ts';
import type { ChartSize } from './trend.ts';

export const WEEKLY_WIDE: ChartSize = { width: 560, height: 200, font: 12, className: 'chart-wide' };
export const WEEKLY_NARROW: ChartSize = { width: 340, height: 200, font: 11, className: 'chart-narrow' };

export function weeklySvg(weeks: { week: string; active: number }[], opts: { members?: number; size?: ChartSize } = {}): string {
  const { width: w, height: h, font } = opts.size ?? WEEKLY_WIDE;
  const left = 8;
  const top = font + 6;
  const bottom = font + 10;
  const plotW = w - left * 2;
  const plotH = h - top - bottom;
  // Scale to the member count when known, so a full bar means everyone was active.
  const max = Math.max(1, opts.members ?? 0, ...weeks.map((x) => x.active));
  const slot = weeks.length ? plotW / weeks.length : plotW;
  const barW = Math.max(1, slot * 0.7);
  // A date under every bar needs about 3.3 font sizes of room; label every k-th bar.
  const every = Math.max(1, Math.ceil((font * 3.3) / slot));
  const parts: string[] = [`<line x1="${left}" x2="${w - left}" y1="${top + plotH}" y2="${top + plotH}" stroke="#e3e6ef"/>`];
  weeks.forEach((x, i) => {
    const bh = (x.active / max) * plotH;
    const bx = left + i * slot + (slot - barW) / 2;
    const by = top + plotH - bh;
    parts.push(`<rect x="${n(bx)}" y="${n(by)}" width="${n(barW)}" height="${n(Math.max(bh, x.active > 0 ? 1 : 0))}" rx="2" fill="#4756d6">`
      + `<title>${esc(`Week of ${longDay(x.week)}: ${x.active} active ${x.active === 1 ? 'person' : 'people'}`)}</title></rect>`);
    parts.push(`<text x="${n(bx + barW / 2)}" y="${n(by - 4)}" text-anchor="middle" fill="#1d2433">${x.active}</text>`);
    if ((weeks.length - 1 - i) % every === 0) parts.push(`<text x="${n(bx + barW / 2)}" y="${h - 5}" text-anchor="middle">${esc(shortDay(x.week))}</text>`);
  });
  const label = `Weekly active people, ${weeks.length} weeks: ${weeks.map((x) => x.active).join(', ')}`;
  const cls = opts.size?.className ?? WEEKLY_WIDE.className;
  return `<svg class="weekly ${cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}" font-size="${font}" fill="#5b6475" font-family="system-ui, sans-serif">`
    + parts.join('') + '</svg>';
}
