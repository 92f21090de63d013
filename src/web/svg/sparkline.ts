// A small line of daily values for a leaderboard row. The scale is the row's own: it shows
// the shape of someone's month, not a comparison between people.
import { esc, n } from './escape.ts';

export function sparklineSvg(values: number[], opts: { width?: number; height?: number; label?: string } = {}): string {
  const w = opts.width ?? 120;
  const h = opts.height ?? 28;
  const max = Math.max(0, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  const pad = 2;
  const y = (v: number) => (max > 0 ? h - pad - (v / max) * (h - 2 * pad) : h - pad);
  const pts = values.map((v, i) => `${n(i * step)},${n(y(v))}`);
  const line = pts.length ? `M${pts.join('L')}` : '';
  const area = pts.length ? `${line}L${n((values.length - 1) * step)},${h}L0,${h}Z` : '';
  const label = opts.label ?? `Daily tokens over the last ${values.length} days`;
  return `<svg class="spark" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}">`
    + `<title>${esc(label)}</title>`
    + (area ? `<path d="${area}" fill="#4756d6" fill-opacity="0.12"/><path d="${line}" fill="none" stroke="#4756d6" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>` : '')
    + '</svg>';
}
