// OpenAI Responses API. `input_tokens` includes `input_tokens_details.cached_tokens`;
// `output_tokens` includes reasoning. Streaming: usage arrives on the terminal
// `response.completed` (or `response.incomplete` / `response.failed`) event.
import { count, obj, str, USAGE_OBJECT_RE, type Usage, type UsageExtractor } from '../usage.ts';

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export function fromResponseUsage(u: Record<string, unknown>, model: string | null, id: string | null): Usage | null {
  const input = count(u.input_tokens);
  if (input === null) return null;
  const details = obj(u.input_tokens_details);
  const cached = Math.min(input, count(details?.cached_tokens) ?? 0);
  // Some compatible servers report cache writes inside input too.
  const written = Math.min(input - cached, count(details?.cache_write_tokens) ?? 0);
  return {
    model, responseId: id,
    input_tokens: input - cached - written,
    output_tokens: count(u.output_tokens) ?? 0,
    cache_read_tokens: cached,
    cache_write_tokens: written,
  };
}

export function openaiResponsesExtractor(): UsageExtractor {
  let found: Usage | null = null;
  return {
    wants: (text) => USAGE_OBJECT_RE.test(text),
    take(msg) {
      const m = obj(msg);
      if (!m) return;
      // Streaming wraps the response object in a terminal event; the plain body is the object.
      const response = typeof m.type === 'string' && TERMINAL.has(m.type) ? obj(m.response) : m.object === 'response' ? m : null;
      const u = obj(response?.usage);
      if (!response || !u) return;
      found = fromResponseUsage(u, str(response.model), str(response.id)) ?? found;
    },
    result: () => found,
  };
}
