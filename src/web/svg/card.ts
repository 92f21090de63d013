// A profile card for sharing: name, the window's headline numbers, streak, top models and
// a sparkline. Self-contained like the badge (it is shown as an <img>).
import { compact, int } from '../format.ts';
import { esc } from './escape.ts';
import { sparklineSvg } from './sparkline.ts';
import type { BadgeFigures } from '../../usage/badge.ts';

/** The badge's figures for the window, plus who and where. */
export interface CardData extends BadgeFigures {
  login: string;
  name: string | null;
  windowLabel: string;
  org: string;
}

export function cardSvg(c: CardData): string {
  const w = 460;
  const h = 150;
  const initial = (c.name || c.login).trim().charAt(0).toUpperCase() || '?';
  const stat = (x: number, value: string, label: string) =>
    `<text x="${x}" y="96" font-size="20" font-weight="700" fill="#1d2433">${esc(value)}</text><text x="${x}" y="112" font-size="11" fill="#5b6475">${esc(label)}</text>`;
  const models = c.top_models.slice(0, 3).map((m) => (m.length > 28 ? `${m.slice(0, 27)}…` : m)).join(' · ');
  const spark = sparklineSvg(c.spark, { width: 120, height: 30 }).replace('<svg ', '<svg x="320" y="20" ');
  const title = `${c.name || c.login} on TokenBoard: ${compact(c.tokens)} tokens (${c.windowLabel})`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}" font-family="system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif">`
    + `<title>${esc(title)}</title>`
    + `<rect x="0.5" y="0.5" width="${w - 1}" height="${h - 1}" rx="10" fill="#fff" stroke="#e3e6ef"/>`
    + `<circle cx="40" cy="40" r="20" fill="#4756d6"/><text x="40" y="47" font-size="18" font-weight="700" fill="#fff" text-anchor="middle">${esc(initial)}</text>`
    + `<text x="70" y="36" font-size="16" font-weight="700" fill="#1d2433">${esc(c.name || c.login)}</text>`
    + `<text x="70" y="54" font-size="12" fill="#5b6475">@${esc(c.login)} · AI usage, ${esc(c.windowLabel)}</text>`
    + spark
    + stat(20, compact(c.tokens), 'tokens') + stat(130, int(c.messages), 'messages') + stat(240, int(c.active_days), 'active days') + stat(350, `${int(c.current_streak)}d`, 'current streak')
    + `<text x="20" y="136" font-size="11" fill="#5b6475">${esc(models ? `Top models: ${models}` : 'No usage yet')}</text>`
    + `<text x="${w - 16}" y="136" font-size="10" fill="#9aa1b0" text-anchor="end">${esc(c.org)}</text>`
    + '</svg>';
}
