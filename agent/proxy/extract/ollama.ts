// Ollama native /api/chat and /api/generate. Streaming is NDJSON; the last object has
// `done: true` with `prompt_eval_count` (input) and `eval_count` (output). There is no
// cached-token field: a prompt served from the KV cache reports 0 or omits the count.
import { count, obj, str, type Usage, type UsageExtractor } from '../usage.ts';

const DONE_RE = /"done"\s*:\s*true/;

export function ollamaExtractor(): UsageExtractor {
  let found: Usage | null = null;
  return {
    wants: (text) => DONE_RE.test(text),
    take(msg) {
      const m = obj(msg);
      if (!m || m.done !== true) return;
      const input = count(m.prompt_eval_count);
      const output = count(m.eval_count);
      if (input === null && output === null) return;
      found = {
        model: str(m.model), responseId: null,
        input_tokens: input ?? 0, output_tokens: output ?? 0, cache_read_tokens: 0, cache_write_tokens: 0,
      };
    },
    result: () => found,
  };
}
