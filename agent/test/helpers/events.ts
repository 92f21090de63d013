import type { WireEvent } from '../../wire.ts';

let n = 0;
/** A valid event with a unique id. */
export function ev(over: Partial<WireEvent> = {}): WireEvent {
  n++;
  return {
    ts: Date.now() - 60_000, provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false,
    input_tokens: 10, output_tokens: 5, cache_read_tokens: 0, cache_write_tokens: 0,
    id: `t-${process.pid}-${n}-${Math.random().toString(36).slice(2, 8)}`, source: 'proxy', ...over,
  };
}
