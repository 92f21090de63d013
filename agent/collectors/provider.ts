// Provider names for tools that route one session through several vendors and record only
// the model: read off the model's family, the way the price table groups models.
import { cleanName } from './context.ts';

const FAMILIES: [RegExp, string][] = [
  [/^claude|^anthropic/, 'anthropic'],
  [/^(gpt|o[1-9]\b|o[1-9]-|codex|chatgpt|openai)/, 'openai'],
  [/^(gemini|gemma|google)/, 'google'],
  [/^(grok|xai|x-ai)/, 'xai'],
  [/^(kimi|moonshot)/, 'moonshot'],
  [/^(qwen|qwq|alibaba|dashscope)/, 'alibaba'],
  [/^(glm|zhipu|z-ai|zai)/, 'zhipu'],
  [/^deepseek/, 'deepseek'],
  [/^(mistral|codestral|devstral)/, 'mistral'],
];

/**
 * The provider a log names (`given`), else the family of `model` ("anthropic/claude-…" and
 * "claude-…" alike), else `fallback`.
 */
export function providerOf(model: string, given?: unknown, fallback = 'unknown'): string {
  const named = cleanName(given, '');
  if (named) return named;
  const m = model.toLowerCase();
  for (const [re, name] of FAMILIES) if (re.test(m) || re.test(m.slice(m.indexOf('/') + 1))) return name;
  return fallback;
}
