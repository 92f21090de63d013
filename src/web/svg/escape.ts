// XML escaping for the SVG renderers: everything that came from a client (model names,
// user names, logins) goes through here before it lands in markup.
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(s: unknown): string {
  // Control characters are not allowed in XML 1.0 at all: drop them.
  return String(s ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => MAP[c]);
}

/** Numbers printed into attributes: never NaN or Infinity, two decimals at most. */
export function n(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 100) / 100) : '0';
}
