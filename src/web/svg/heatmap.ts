// A year of days as a calendar heatmap (weeks as columns, Monday on top), drawn on the
// server so it needs no JavaScript. Every day has a <title>: the date and its numbers.
import type { DayValue } from '../../usage/streaks.ts';
import { int, longDay } from '../format.ts';
import { esc, n } from './escape.ts';

export const HEAT_COLORS = ['#ebedf3', '#c7ccf6', '#97a1ee', '#6673e0', '#3b48c4'] as const;
const CELL = 11;
const PITCH = 13;
const LEFT = 30;
const TOP = 16;
// Room after the last week, so a month label that starts there ("Dec") is not cut off.
const RIGHT = 18;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const weekday = (day: string) => (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;

/** Level 0 for no usage, else 1..4 by the quartiles of the person's active days. */
export function levels(values: number[]): number[] {
  const active = values.filter((v) => v > 0).sort((a, b) => a - b);
  if (active.length === 0) return values.map(() => 0);
  const q = (p: number) => active[Math.min(active.length - 1, Math.floor(p * active.length))];
  const [q1, q2, q3] = [q(0.25), q(0.5), q(0.75)];
  return values.map((v) => (v <= 0 ? 0 : v <= q1 ? 1 : v <= q2 ? 2 : v <= q3 ? 3 : 4));
}

export function heatmapSvg(days: DayValue[], opts: { label?: string } = {}): string {
  const lv = levels(days.map((d) => d.tokens));
  const offset = days.length ? weekday(days[0].day) : 0;
  const cols = Math.ceil((days.length + offset) / 7);
  const w = LEFT + cols * PITCH + RIGHT;
  const h = TOP + 7 * PITCH;
  const out: string[] = [];
  let lastLabelCol = -10;
  days.forEach((d, i) => {
    const col = Math.floor((i + offset) / 7);
    const row = (i + offset) % 7;
    if (d.day.endsWith('-01') && col - lastLabelCol >= 3) {
      out.push(`<text x="${LEFT + col * PITCH}" y="10" class="hm-label">${MONTHS[Number(d.day.slice(5, 7)) - 1]}</text>`);
      lastLabelCol = col;
    }
    const what = d.tokens > 0 || d.messages > 0 ? `${int(d.tokens)} tokens, ${int(d.messages)} messages` : 'no activity';
    out.push(`<rect x="${n(LEFT + col * PITCH)}" y="${n(TOP + row * PITCH)}" width="${CELL}" height="${CELL}" rx="2" fill="${HEAT_COLORS[lv[i]]}" data-day="${esc(d.day)}" data-level="${lv[i]}">`
      + `<title>${esc(`${longDay(d.day)}: ${what}`)}</title></rect>`);
  });
  const labels = [['Mon', 0], ['Wed', 2], ['Fri', 4]].map(([name, row]) => `<text x="0" y="${TOP + Number(row) * PITCH + 9}" class="hm-label">${name}</text>`);
  const label = opts.label ?? `Activity over the last ${days.length} days`;
  // Sized by app.css: the card's width on a desktop; on a phone it keeps readable cells and
  // scrolls inside its card, starting at the most recent weeks.
  return `<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}" font-size="10" fill="#5b6475" font-family="system-ui, sans-serif">`
    + labels.join('') + out.join('') + '</svg>';
}
