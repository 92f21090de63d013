// Where a collector puts what it found: events before `--since` are left out, the same id
// seen twice in one scan (a span exported into two files, a chat copied into a fork) is kept
// once, an event over the per-event limit is split into parts that sum to it, and an event
// dated where the server never accepts it is dropped.
import { MAX_FUTURE_MS, MIN_TS, type WireEvent } from '../wire.ts';
import type { ScanContext } from './context.ts';
import { splitEvent } from './split.ts';

export class EventSink {
  private readonly byId = new Map<string, WireEvent>();
  private readonly loose: WireEvent[] = [];

  constructor(private readonly ctx: ScanContext) {}

  add(ev: WireEvent | null): void {
    if (!ev) return;
    if (ev.input_tokens + ev.output_tokens + ev.cache_read_tokens + ev.cache_write_tokens === 0) return;
    if (this.ctx.sinceMs !== null && ev.ts < this.ctx.sinceMs) return;
    // A time the server would refuse (a misread unit, a broken clock) would take the whole
    // batch down with it: such an event is not a usable count.
    if (!Number.isInteger(ev.ts) || ev.ts < MIN_TS || ev.ts > this.ctx.now + MAX_FUTURE_MS) return;
    for (const part of splitEvent(ev)) {
      if (part.id === undefined) this.loose.push(part);
      else if (!this.byId.has(part.id)) this.byId.set(part.id, part);
    }
  }

  events(): WireEvent[] {
    return [...this.byId.values(), ...this.loose];
  }
}
