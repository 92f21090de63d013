// DESIGN "Counting rules": the server refuses an event over 2,000,000 tokens (and with it the
// whole batch). Aggregates some tools record — a Copilot agent span summing a long turn, a
// Grok turn — can pass that, so such an event is sent as several that sum to it exactly.
// (The smallest local version of what agent/collectors/cumulative.ts does on another branch
// for running totals; the two are to be folded into one.)
import { MAX_EVENT_TOKENS, type WireEvent } from '../wire.ts';

const COUNTS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'] as const;

export function splitLarge(ev: WireEvent, limit = MAX_EVENT_TOKENS): WireEvent[] {
  const total = COUNTS.reduce((s, k) => s + ev[k], 0);
  if (total <= limit) return [ev];
  const parts = Math.ceil(total / limit);
  const out: WireEvent[] = [];
  // Each part takes its share of every count; the last takes what is left, so the sums are exact.
  const left = { input_tokens: ev.input_tokens, output_tokens: ev.output_tokens, cache_read_tokens: ev.cache_read_tokens, cache_write_tokens: ev.cache_write_tokens };
  let left1h = ev.cache_write_1h_tokens ?? 0;
  for (let i = 0; i < parts; i++) {
    const last = i === parts - 1;
    const part: WireEvent = { ...ev, id: ev.id ? `${ev.id.slice(0, 120)}:${i + 1}` : undefined };
    for (const k of COUNTS) {
      const share = last ? left[k] : Math.floor(ev[k] / parts);
      part[k] = share;
      left[k] -= share;
    }
    if (ev.cache_write_1h_tokens !== undefined) {
      const share = last ? left1h : Math.min(part.cache_write_tokens, Math.floor(ev.cache_write_1h_tokens / parts));
      part.cache_write_1h_tokens = share;
      left1h -= share;
    }
    if (!part.id) delete part.id;
    out.push(part);
  }
  return out;
}
