// Turns one response's usage into one wire event, the same way for the proxy and the SDK
// shim. No usage, no event; nothing of the request or response text is kept.
import type { WireEvent } from '../wire.ts';
import { anthropicMessageId, eventId, randomEventId } from '../ids.ts';
import type { IdleSessions } from '../sessions.ts';
import type { Provider } from './routes.ts';
import type { Usage } from './usage.ts';

export type EventSink = (events: WireEvent[]) => void;

/** Model names go to the server as-is but must fit the wire format (1-128 printable). */
export function cleanModel(model: string | null | undefined): string {
  const m = (model ?? '').replace(/[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/gu, '').trim();
  return m ? [...m].slice(0, 128).join('') : 'unknown';
}

export function usageEvent(provider: Provider, usage: Usage, opts: { isLocal: boolean; now: number; sessions: IdleSessions; source?: string; fallbackModel?: string | null }): WireEvent {
  const id = usage.responseId
    ? provider === 'anthropic' ? anthropicMessageId(usage.responseId) : eventId('px', provider, usage.responseId)
    : randomEventId('px');
  return {
    ts: opts.now,
    provider,
    model: cleanModel(usage.model ?? opts.fallbackModel),
    is_local: opts.isLocal,
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_tokens: usage.cache_read_tokens,
    cache_write_tokens: usage.cache_write_tokens,
    ...(usage.cache_write_1h_tokens === undefined ? {} : { cache_write_1h_tokens: usage.cache_write_1h_tokens }),
    id,
    source: opts.source ?? 'proxy',
    session: opts.sessions.sessionFor(provider, opts.now),
  };
}

/**
 * Requests from CLIs whose local logs the collectors already read. Counting them here too
 * would count every response twice (Codex and Gemini CLI logs carry no response id to
 * dedupe on). Claude Code needs no such rule: its log's message.id gives the same event id.
 */
export function countedByCollector(headers: Record<string, string | string[] | undefined>): boolean {
  const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join(' ') : v ?? '').toLowerCase();
  const originator = one(headers['originator']);
  const agent = one(headers['user-agent']);
  return originator.startsWith('codex') || agent.startsWith('codex_') || agent.startsWith('geminicli/');
}
