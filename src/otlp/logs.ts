// Usage events from OTLP log records (the CLIs' per-request events). Only counts, model
// names and ids are read; prompts, tool parameters and bodies are never looked at, so
// nothing content-bearing can be stored or logged.
import { createHash } from 'node:crypto';
import type { WireEvent } from '../../agent/wire.ts';
import { arr, attributes, count, nanosToMs, obj, str } from './values.ts';

export interface Extracted {
  events: WireEvent[];
  /** Raw session ids, keyed by event index; hashed by the caller before storing. */
  sessions: (string | null)[];
  /** Records that looked like usage but could not be used (no model, no time…). */
  rejected: number;
  /** True when a Claude Code api_request event was seen (its metrics are then ignored). */
  claudeRequests: boolean;
}

const idOf = (prefix: string, ...parts: string[]) => `${prefix}:${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40)}`;

function eventName(record: Record<string, unknown>, attrs: Map<string, string | number | boolean>): string {
  const fromAttr = str(attrs, 'event.name');
  const body = obj(record.body).stringValue;
  const name = fromAttr ?? (typeof body === 'string' ? body : '');
  return name.replace(/^(claude_code|gemini_cli|codex)\./, '');
}

export function eventsFromLogs(body: unknown): Extracted {
  const out: Extracted = { events: [], sessions: [], rejected: 0, claudeRequests: false };
  for (const rl of arr(obj(body).resourceLogs)) {
    const resource = attributes(obj(obj(rl).resource).attributes);
    const service = str(resource, 'service.name') ?? '';
    for (const sl of arr(obj(rl).scopeLogs)) {
      for (const rec of arr(obj(sl).logRecords)) {
        const record = obj(rec);
        const attrs = attributes(record.attributes);
        for (const [k, v] of resource) if (!attrs.has(k)) attrs.set(k, v);
        const name = eventName(record, attrs);
        const ts = nanosToMs(record.timeUnixNano) ?? nanosToMs(record.observedTimeUnixNano);
        const model = str(attrs, 'model');
        const session = str(attrs, 'session.id') ?? str(attrs, 'conversation.id');
        let ev: WireEvent | null = null;
        if (name === 'api_request' && (service.startsWith('claude') || attrs.has('cache_creation_tokens') || attrs.has('cache_read_tokens'))) {
          out.claudeRequests = true;
          const requestId = str(attrs, 'request_id');
          if (!model || !ts) { out.rejected++; continue; }
          ev = {
            ts, provider: 'anthropic', model, is_local: false,
            // Claude Code reports Anthropic's buckets: input is already uncached.
            input_tokens: count(attrs, 'input_tokens'), output_tokens: count(attrs, 'output_tokens'),
            cache_read_tokens: count(attrs, 'cache_read_tokens'), cache_write_tokens: count(attrs, 'cache_creation_tokens'),
            id: requestId ? idOf('otlp-cc', requestId) : idOf('otlp-cc', session ?? '', String(record.timeUnixNano), model),
            source: 'otlp',
          };
          const skill = str(attrs, 'skill.name');
          if (skill && skill.length <= 64) ev.skills = [skill];
        } else if (name === 'api_response' && (service.startsWith('gemini') || attrs.has('thoughts_token_count'))) {
          if (!model || !ts) { out.rejected++; continue; }
          const cached = count(attrs, 'cached_content_token_count');
          ev = {
            ts, provider: 'google', model, is_local: false,
            // Gemini's prompt count includes cached tokens; thinking is billed as output.
            input_tokens: Math.max(0, count(attrs, 'input_token_count') - cached),
            output_tokens: count(attrs, 'output_token_count') + count(attrs, 'thoughts_token_count'),
            cache_read_tokens: cached, cache_write_tokens: 0,
            id: idOf('otlp-gem', session ?? '', str(attrs, 'prompt_id') ?? '', String(record.timeUnixNano), model),
            source: 'otlp',
          };
        } else if (name === 'sse_event' && str(attrs, 'event.kind') === 'response.completed') {
          if (!model || !ts) { out.rejected++; continue; }
          const cached = count(attrs, 'cached_token_count');
          ev = {
            ts, provider: 'openai', model, is_local: false,
            // Codex: cached input is a subset of input; reasoning is inside output.
            input_tokens: Math.max(0, count(attrs, 'input_token_count') - cached),
            output_tokens: count(attrs, 'output_token_count'),
            cache_read_tokens: cached, cache_write_tokens: 0,
            id: idOf('otlp-codex', session ?? '', String(record.timeUnixNano), model),
            source: 'otlp',
          };
        }
        if (ev) {
          out.events.push(ev);
          out.sessions.push(session);
        }
      }
    }
  }
  return out;
}
