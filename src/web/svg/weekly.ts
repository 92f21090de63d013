// Weekly active users as labelled bars: the team page's 12-week adoption trend.
import { longDay, shortDay } from '../format.ts';
import { esc, n } from './escape.ts';

export function weeklySvg(weeks: { week: string; active: number }[], opts: { width?: number; height?: number; members?: number } = {}): string {
  const w = opts.width ?? 720;
  const h = opts.height ?? 170;
  const left = 8;
  const top = 16;
  const bottom = 20;
  const plotW = w - left * 2;
  const plotH = h - top - bottom;
  // Scale to the member count when known, so a full bar means everyone was active.
  const max = Math.max(1, opts.members ?? 0, ...weeks.map((x) => x.active));
  const slot = weeks.length ? plotW / weeks.length : plotW;
  const barW = Math.max(1, slot * 0.7);
  const parts: string[] = [`<line x1="${left}" x2="${w - left}" y1="${top + plotH}" y2="${top + plotH}" stroke="#e3e6ef"/>`];
  weeks.forEach((x, i) => {
    const bh = (x.active / max) * plotH;
    const bx = left + i * slot + (slot - barW) / 2;
    const by = top + plotH - bh;
    parts.push(`<rect x="${n(bx)}" y="${n(by)}" width="${n(barW)}" height="${n(Math.max(bh, x.active > 0 ? 1 : 0))}" rx="2" fill="#4756d6">`
      + `<title>${esc(`Week of ${longDay(x.week)}: ${x.active} active ${x.active === 1 ? 'person' : 'people'}`)}</title></rect>`);
    parts.push(`<text x="${n(bx + barW / 2)}" y="${n(by - 4)}" text-anchor="middle" fill="#1d2433">${x.active}</text>`);
    if (i % 2 === 0 || weeks.length <= 6) parts.push(`<text x="${n(bx + barW / 2)}" y="${h - 5}" text-anchor="middle">${esc(shortDay(x.week))}</text>`);
  });
  const label = `Weekly active people, ${weeks.length} weeks: ${weeks.map((x) => x.active).join(', ')}`;
  return `<svg class="weekly" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${esc(label)}" font-size="10" fill="#5b6475" font-family="system-ui, sans-serif">`
    + parts.join('') + '</svg>';
}
