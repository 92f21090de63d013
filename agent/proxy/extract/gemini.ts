// Google Gemini generateContent / streamGenerateContent. `promptTokenCount` includes
// `cachedContentTokenCount`; thinking (`thoughtsTokenCount`) is separate from
// `candidatesTokenCount` and counts as output. Streamed chunks carry running totals, so
// the last `usageMetadata` wins (never a sum). Without `alt=sse` the stream is one JSON
// array, which arrives here as an array message.
import { count, obj, str, type Usage, type UsageExtractor } from '../usage.ts';

export function fromUsageMetadata(u: Record<string, unknown>): Omit<Usage, 'model' | 'responseId'> | null {
  const prompt = count(u.promptTokenCount);
  const candidates = count(u.candidatesTokenCount);
  if (prompt === null && candidates === null) return null;
  const cached = Math.min(prompt ?? 0, count(u.cachedContentTokenCount) ?? 0);
  return {
    input_tokens: (prompt ?? 0) - cached + (count(u.toolUsePromptTokenCount) ?? 0),
    output_tokens: (candidates ?? 0) + (count(u.thoughtsTokenCount) ?? 0),
    cache_read_tokens: cached,
    cache_write_tokens: 0,
  };
}

export function geminiExtractor(pathModel: string | null = null): UsageExtractor {
  let found: Usage | null = null;
  let model: string | null = null;
  let id: string | null = null;
  const take = (msg: unknown): void => {
    if (Array.isArray(msg)) {
      for (const m of msg) take(m);
      return;
    }
    const m = obj(msg);
    if (!m) return;
    model = str(m.modelVersion) ?? model;
    id = str(m.responseId) ?? id;
    const u = obj(m.usageMetadata);
    const counts = u && fromUsageMetadata(u);
    if (counts) found = { model: null, responseId: null, ...counts };
  };
  return {
    wants: (text) => text.includes('usageMetadata'),
    take,
    result: () => (found ? { ...found, model: model ?? pathModel, responseId: id } : null),
  };
}
