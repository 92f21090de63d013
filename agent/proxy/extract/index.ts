import type { ExtractorKind, UsageExtractor } from '../usage.ts';
import { openaiChatExtractor } from './openai-chat.ts';
import { openaiResponsesExtractor } from './openai-responses.ts';
import { anthropicExtractor } from './anthropic.ts';
import { geminiExtractor } from './gemini.ts';
import { ollamaExtractor } from './ollama.ts';

export function extractorFor(kind: ExtractorKind, pathModel: string | null = null): UsageExtractor {
  switch (kind) {
    case 'openai-chat': return openaiChatExtractor();
    case 'openai-responses': return openaiResponsesExtractor();
    case 'anthropic': return anthropicExtractor();
    case 'gemini': return geminiExtractor(pathModel);
    case 'ollama': return ollamaExtractor();
  }
}
