// MERGE: vscode-tools' splitEvent and cli-tools' splitLarge side by side until they are folded into one.
// DESIGN "Counting rules": an event may carry at most 2,000,000 tokens (the sum of its four
// counts), yet a tool can record more in one figure (Cline's subagent and checkpoint
// aggregates, a running total that jumped). Such usage is sent as several events that sum
// to it exactly, each with its own id derived from the original.
import { MAX_EVENT_TOKENS, type WireEvent } from '../wire.ts';

const BUCKETS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'] as const;

export function splitEvent(ev: WireEvent, max = MAX_EVENT_TOKENS): WireEvent[] {
  const total = BUCKETS.reduce((s, b) => s + ev[b], 0);
  if (total <= max) return [ev];
  const pieces: WireEvent[] = [];
  let piece: WireEvent | null = null;
  let room = 0;
  let oneHour = ev.cache_write_1h_tokens ?? 0;
  for (const b of BUCKETS) {
    let left = ev[b];
    while (left > 0) {
      if (!piece || room === 0) {
        piece = { ...ev, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, id: ev.id && `${ev.id}.${pieces.length + 1}` };
        delete piece.cache_write_1h_tokens;
        pieces.push(piece);
        room = max;
      }
      const take = Math.min(left, room);
      piece[b] += take;
      if (b === 'cache_write_tokens' && oneHour > 0) {
        // The 1-hour part goes first, so each piece keeps it within its cache writes.
        const h = Math.min(oneHour, take);
        piece.cache_write_1h_tokens = (piece.cache_write_1h_tokens ?? 0) + h;
        oneHour -= h;
      }
      left -= take;
      room -= take;
    }
  }
  return pieces;
}
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
