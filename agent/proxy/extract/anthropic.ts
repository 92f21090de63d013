// Anthropic Messages. Anthropic already reports input without cache reads and writes.
// Streaming: `message_start` carries the input side and a provisional output count; each
// `message_delta` carries cumulative values (there can be several), so non-null fields
// overwrite, never add. A stream that ends without any `message_delta` was cut off and
// gives no event (DESIGN: a failed request makes no event).
import { count, obj, str, USAGE_OBJECT_RE, type Usage, type UsageExtractor } from '../usage.ts';

/**
 * Anthropic usage fields to our counts. `cache_creation` splits the cache writes by
 * lifetime (priced 1.25x input for 5 minutes, 2x for an hour); its 1-hour part is kept
 * when the response has it, and never more than the writes it is a part of.
 */
export function fromAnthropicUsage(u: Record<string, unknown>): Omit<Usage, 'model' | 'responseId'> {
  const creation = obj(u.cache_creation);
  const oneHour = creation ? count(creation.ephemeral_1h_input_tokens) : null;
  const split = creation ? (count(creation.ephemeral_5m_input_tokens) ?? 0) + (oneHour ?? 0) : null;
  const cacheWrite = count(u.cache_creation_input_tokens) ?? split ?? 0;
  return {
    input_tokens: count(u.input_tokens) ?? 0,
    output_tokens: count(u.output_tokens) ?? 0,
    cache_read_tokens: count(u.cache_read_input_tokens) ?? 0,
    cache_write_tokens: cacheWrite,
    ...(oneHour === null ? {} : { cache_write_1h_tokens: Math.min(oneHour, cacheWrite) }),
  };
}

const FIELDS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;

export function anthropicExtractor(): UsageExtractor {
  let usage: Record<string, unknown> | null = null;
  let model: string | null = null;
  let id: string | null = null;
  let complete = false;
  return {
    wants: (text) => USAGE_OBJECT_RE.test(text),
    take(msg) {
      const m = obj(msg);
      if (!m) return;
      if (m.type === 'message') {
        // The whole (non-streaming) response.
        usage = obj(m.usage);
        model = str(m.model);
        id = str(m.id);
        complete = usage !== null;
      } else if (m.type === 'message_start') {
        const message = obj(m.message);
        usage = { ...obj(message?.usage) };
        model = str(message?.model);
        id = str(message?.id);
      } else if (m.type === 'message_delta' && usage) {
        const delta = obj(m.usage);
        if (!delta) return;
        for (const f of FIELDS) if (count(delta[f]) !== null) usage[f] = delta[f];
        // The lifetime split arrives with message_start; a delta that carries one is newer.
        if (obj(delta.cache_creation)) usage.cache_creation = delta.cache_creation;
        complete = true;
      }
    },
    result: () => (usage && complete ? { model, responseId: id, ...fromAnthropicUsage(usage) } : null),
  };
}
