// What a usage extractor reads from one model response, already in DESIGN's counting
// rules: input excludes cached input, output includes reasoning/thinking.
export interface Usage {
  /** The model named by the response (or the request path for Gemini); null when absent. */
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** The part of cache_write_tokens written for an hour (Anthropic), only when the response says. */
  cache_write_1h_tokens?: number;
  /** The provider's own id of the response (msg_…, chatcmpl-…, resp_…), when it has one. */
  responseId: string | null;
}

/**
 * Reads usage from one response. Extractors are pure: they never see bytes, only parsed
 * JSON messages (the whole body, one SSE `data:` payload or one NDJSON line).
 */
export interface UsageExtractor {
  /** Cheap test on a raw message before JSON.parse, so the many chunks without usage cost nothing. */
  wants(text: string): boolean;
  take(msg: unknown): void;
  /** The usage of the whole response, or null when the response carried none. */
  result(): Usage | null;
}

export type ExtractorKind = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini' | 'ollama';

export function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** A non-negative integer count, or null when the field is absent or not a count. */
export function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : null;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** A usage object marker: `"usage": {` (chunks without usage carry `"usage": null` or nothing). */
export const USAGE_OBJECT_RE = /"usage"\s*:\s*\{/;
