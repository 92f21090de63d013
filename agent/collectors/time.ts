// Times as the tools write them: ISO strings, or numbers in seconds (Kimi, Grok, Hermes),
// milliseconds, microseconds or nanoseconds (OpenTelemetry), told apart by magnitude.
import { tsOf } from './context.ts';

/** A time in ms, or null. Numbers (or numeric strings) are read as s, ms, µs or ns by size. */
export function epochMs(v: unknown): number | null {
  // OTLP writes nanoseconds as decimal strings: past 2^53, so divided exactly.
  if (typeof v === 'string' && /^\d{16,20}$/.test(v)) return epochMs(Number(BigInt(v) / 1000n));
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number') return tsOf(v);
  if (!Number.isFinite(n) || n <= 0) return null;
  if (n >= 1e17) return Math.floor(n / 1e6);
  if (n >= 1e14) return Math.floor(n / 1e3);
  if (n >= 1e11) return Math.floor(n);
  return Math.floor(n * 1000);
}
