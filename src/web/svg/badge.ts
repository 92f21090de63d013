// A shields-style badge ("AI tokens 30d | 12.3M") for READMEs and chat profiles. It is an
// <img> there, so it is self-contained: no fonts, links or images from elsewhere.
import { esc } from './escape.ts';

/** Rough width of Verdana 11px text: enough to size the badge without a font engine. */
export function textWidth(s: string): number {
  let w = 0;
  for (const c of s) w += /[ilI.,:;|!']/.test(c) ? 3.5 : /[mwMW@%]/.test(c) ? 10 : /[A-Z0-9$]/.test(c) ? 7.5 : 6.6;
  return Math.ceil(w);
}

export function badgeSvg(label: string, value: string, color = '#4756d6'): string {
  const lw = textWidth(label) + 12;
  const vw = textWidth(value) + 12;
  const w = lw + vw;
  const title = `${label}: ${value}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" viewBox="0 0 ${w} 20" role="img" aria-label="${esc(title)}">`
    + `<title>${esc(title)}</title>`
    + `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`
    + `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>`
    + `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${esc(color)}"/><rect width="${w}" height="20" fill="url(#s)"/></g>`
    + `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`
    + `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${esc(label)}</text><text x="${lw / 2}" y="14">${esc(label)}</text>`
    + `<text x="${lw + vw / 2}" y="15" fill="#010101" fill-opacity=".3">${esc(value)}</text><text x="${lw + vw / 2}" y="14">${esc(value)}</text>`
    + '</g></svg>';
}
