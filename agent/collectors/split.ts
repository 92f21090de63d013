// DESIGN "Counting rules": the server refuses an event over 2,000,000 tokens (the sum of its
// four counts), and with it the whole batch. A tool can record more in one figure — Cline's
// subagent and checkpoint aggregates, a Copilot agent span summing a long turn, a running
// total that jumped (cumulative.ts) — so such usage is sent as several events that add up to
// it exactly. The one rule for every collector:
//
// - n = ⌈total / (max − 5)⌉ pieces; each count is shared evenly, piece k taking
//   floor((k+1)·c/n) − floor(k·c/n), so the pieces sum exactly to c and each is off its even
//   share by less than one token per count. Five counts (cache write as its 5-minute and
//   1-hour parts) are each off by under one, so a piece stays under total/n + 5 ≤ max.
// - Sharing the 5-minute and the 1-hour parts apart keeps each piece's 1-hour part within
//   its cache writes, as the wire requires.
import { MAX_EVENT_TOKENS, type WireEvent } from '../wire.ts';

/** Counts to split: [input, output, cache read, cache write (all), the 1-hour part of cache write]. */
export type Counts = [number, number, number, number, number];

const sum = (c: Counts): number => c[0] + c[1] + c[2] + c[3];

/** Counts as pieces of at most `max` tokens that add up exactly to them (one piece when within the limit). */
export function splitCounts(c: Counts, max = MAX_EVENT_TOKENS): Counts[] {
  const total = sum(c);
  if (total <= max) return [c];
  const n = Math.ceil(total / (max - 5));
  const oneHour = Math.min(c[4], c[3]);
  const parts = [c[0], c[1], c[2], c[3] - oneHour, oneHour];
  const out: Counts[] = [];
  for (let k = 0; k < n; k++) {
    const p = parts.map((v) => Math.floor(((k + 1) * v) / n) - Math.floor((k * v) / n));
    out.push([p[0], p[1], p[2], p[3] + p[4], p[4]]);
  }
  return out;
}

/**
 * An event over the limit as several that sum to it, the rest of the event kept; piece i
 * gets the id `<id>:<i>` (from 1; the id cut so that it stays within the wire's 128 characters).
 */
export function splitEvent(ev: WireEvent, max = MAX_EVENT_TOKENS): WireEvent[] {
  const pieces = splitCounts([ev.input_tokens, ev.output_tokens, ev.cache_read_tokens, ev.cache_write_tokens, ev.cache_write_1h_tokens ?? 0], max);
  if (pieces.length === 1) return [ev];
  return pieces.map((c, i) => {
    const piece: WireEvent = { ...ev, input_tokens: c[0], output_tokens: c[1], cache_read_tokens: c[2], cache_write_tokens: c[3] };
    if (c[4]) piece.cache_write_1h_tokens = c[4];
    else delete piece.cache_write_1h_tokens;
    if (ev.id) piece.id = `${ev.id.slice(0, 120)}:${i + 1}`;
    return piece;
  });
}
