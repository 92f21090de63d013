// OpenAI Chat Completions, legacy Completions and Embeddings (and the OpenAI-compatible
// endpoints of Ollama and Gemini). `prompt_tokens` includes cached tokens, so they are
// subtracted; `completion_tokens` already includes reasoning tokens. Streaming only
// carries usage on the final chunk when the client asked for `stream_options.include_usage`.
import { count, obj, str, USAGE_OBJECT_RE, type Usage, type UsageExtractor } from '../usage.ts';

export function openaiChatExtractor(): UsageExtractor {
  let found: Usage | null = null;
  let model: string | null = null;
  let id: string | null = null;
  return {
    wants: (text) => USAGE_OBJECT_RE.test(text),
    take(msg) {
      const m = obj(msg);
      if (!m) return;
      model = str(m.model) ?? model;
      id = str(m.id) ?? id;
      const u = obj(m.usage);
      if (!u) return;
      const prompt = count(u.prompt_tokens) ?? count(u.input_tokens);
      if (prompt === null) return;
      const cached = Math.min(prompt, count(obj(u.prompt_tokens_details)?.cached_tokens) ?? 0);
      found = {
        model, responseId: id,
        input_tokens: prompt - cached,
        output_tokens: count(u.completion_tokens) ?? count(u.output_tokens) ?? 0,
        cache_read_tokens: cached,
        cache_write_tokens: 0,
      };
    },
    result: () => (found ? { ...found, model: found.model ?? model, responseId: found.responseId ?? id } : null),
  };
}
