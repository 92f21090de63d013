// The provider to report when a tool records only a model id (Roo Code, Kilo Code, Copilot
// Chat and CLI, Amp, Codebuff, Qwen Code, Antigravity, ZCode, Goose, Droid, Hermes, ...):
// the one the log names if it names one, else the family the model belongs to, named the
// way the price table groups models ("qwen3-coder" → alibaba), for a bare id and an
// OpenRouter-style one alike ("anthropic/claude-sonnet-4.5", "moonshotai/kimi-k2"), else the
// vendor such an id names, else the caller's fallback. Prices are looked up by model on the
// server, so this only labels the usage; a model of no known family is never guessed.
import { cleanName } from './context.ts';

const FAMILIES: [RegExp, string][] = [
  // Bedrock ids put the vendor after a region ("us.anthropic.claude-…"); some tools keep only
  // the model's name ("sonnet-4.5").
  [/^(claude|anthropic)|\.anthropic\.|opus|sonnet|haiku/, 'anthropic'],
  [/^(gpt|o\d|codex|chatgpt|openai)/, 'openai'],
  [/^(gemini|gemma|google)/, 'google'],
  [/^(grok|xai|x-ai)/, 'xai'],
  [/^(kimi|moonshot)/, 'moonshot'],
  [/^(qwen|qwq|alibaba|dashscope)/, 'alibaba'],
  [/^(glm|zhipu|z-ai|zai)/, 'zhipu'],
  [/^deepseek/, 'deepseek'],
  [/^(mistral|codestral|devstral|magistral)/, 'mistral'],
];

/**
 * The provider a log names (`given`), else the family of `model` (or of what follows its
 * first "/"), else the vendor before that "/", else `fallback`.
 */
export function providerOf(model: string, given?: unknown, fallback = 'unknown'): string {
  const named = cleanName(given, '');
  if (named) return named;
  const m = model.trim().toLowerCase();
  const slash = m.indexOf('/');
  const rest = m.slice(slash + 1);
  for (const [re, name] of FAMILIES) if (re.test(m) || re.test(rest)) return name;
  return slash > 0 ? cleanName(m.slice(0, slash), fallback) : fallback;
}
