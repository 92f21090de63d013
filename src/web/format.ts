// How numbers read on the pages: 12.3M tokens, $1,234.56, 13h 30m. Pure functions, used
// as nunjucks filters and by the SVG renderers, so a badge and a page print the same text.
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

const UNITS: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];

/** 999 → "999", 12_345 → "12.3K", 123_456 → "123K", 12_345_678 → "12.3M". */
export function compact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a < 1000) return sign + INT.format(a);
  for (let i = 0; i < UNITS.length; i++) {
    if (a < UNITS[i][0]) continue;
    let v = a / UNITS[i][0];
    let unit = UNITS[i][1];
    // 999,960 would print "1000K": move up a unit instead ("1M").
    if (Math.round(v) >= 1000 && i > 0) { v /= 1000; unit = UNITS[i - 1][1]; }
    // One decimal below 100 ("12.3M"), none above ("123M").
    const text = v < 99.95 ? (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '') : String(Math.round(v));
    return `${sign}${text}${unit}`;
  }
  return sign + INT.format(a);
}

/** 1234567 → "1,234,567". */
export function int(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : INT.format(Math.round(n));
}

/** 1234.561 → "$1,234.56"; a positive amount under a cent → "<$0.01"; null → "unknown". */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'unknown';
  if (v > 0 && v < 0.005) return '<$0.01';
  return USD.format(v);
}

/** 0.4234 → "42%"; a positive share under 1% → "<1%". */
export function percent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  if (share > 0 && share < 0.005) return '<1%';
  return `${Math.round(share * 100)}%`;
}

/** 48_600_000 → "13h 30m"; 300_000 → "5m"; 42_000 → "42s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
}

// Building an Intl.DateTimeFormat costs far more than using one, and a heatmap formats 365
// days: keep them.
const DATE_TIME = new Map<string, Intl.DateTimeFormat>();
const LONG_DAY = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' });
const SHORT_DAY = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });

/** A timestamp as "Oct 14, 08:00" in the org's time zone. */
export function dateTime(ms: number, timeZone: string): string {
  let f = DATE_TIME.get(timeZone);
  if (!f) DATE_TIME.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  return f.format(new Date(ms));
}

/** 'YYYY-MM-DD' as "Oct 14, 2026" (a calendar day: no time zone involved). */
export function longDay(day: string): string {
  return LONG_DAY.format(new Date(`${day}T00:00:00Z`));
}

/** 'YYYY-MM-DD' as "Oct 14". */
export function shortDay(day: string): string {
  return SHORT_DAY.format(new Date(`${day}T00:00:00Z`));
}

export const FILTERS = { compact, int, usd, percent, duration, longDay, shortDay } as const;
