// Reading OTLP/HTTP JSON: attribute lists, AnyValue numbers that come as strings or
// numbers (intValue, asInt) or doubles, and nanosecond timestamps as strings.
export interface KeyValue { key?: unknown; value?: unknown }

/** Attributes as a plain map of strings/numbers/booleans; nested values are ignored. */
export function attributes(list: unknown): Map<string, string | number | boolean> {
  const out = new Map<string, string | number | boolean>();
  if (!Array.isArray(list)) return out;
  for (const kv of list as KeyValue[]) {
    if (!kv || typeof kv.key !== 'string' || !kv.value || typeof kv.value !== 'object') continue;
    const v = kv.value as Record<string, unknown>;
    if (typeof v.stringValue === 'string') out.set(kv.key, v.stringValue);
    else if (v.intValue !== undefined) { const n = toNumber(v.intValue); if (n !== null) out.set(kv.key, n); }
    else if (v.doubleValue !== undefined) { const n = toNumber(v.doubleValue); if (n !== null) out.set(kv.key, n); }
    else if (typeof v.boolValue === 'boolean') out.set(kv.key, v.boolValue);
  }
  return out;
}

export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v.trim())) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A token count attribute: a non-negative whole number (strings accepted), else 0. */
export function count(attrs: Map<string, string | number | boolean>, key: string): number {
  const v = attrs.get(key);
  const n = typeof v === 'string' ? toNumber(v) : typeof v === 'number' ? v : null;
  return n !== null && n >= 0 ? Math.round(n) : 0;
}

/** Milliseconds from a unix-nanoseconds value (string or number); null when absent or zero. */
export function nanosToMs(v: unknown): number | null {
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) {
    const ms = Number(BigInt(v) / 1_000_000n);
    return ms > 0 ? ms : null;
  }
  if (typeof v === 'number' && v > 0) return Math.floor(v / 1e6);
  return null;
}

export function str(attrs: Map<string, string | number | boolean>, key: string): string | null {
  const v = attrs.get(key);
  return typeof v === 'string' && v.length > 0 ? v : null;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
