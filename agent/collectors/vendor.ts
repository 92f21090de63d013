// The provider to report when a tool records only a model id (Roo Code, Kilo Code, Copilot
// Chat): the vendor an OpenRouter-style id names ("anthropic/claude-sonnet-4.5"), else the
// family a bare id belongs to. Prices are looked up by model on the server, so this only
// labels the usage; a model of no known family gets the caller's fallback, never a guess.
const FAMILIES: [RegExp, string][] = [
  [/^claude|(^|\.)anthropic\./, 'anthropic'],
  [/^(gpt-|o\d|chatgpt|codex)/, 'openai'],
  [/^(gemini|gemma)/, 'google'],
  [/^grok/, 'xai'],
  [/^deepseek/, 'deepseek'],
  [/^(mistral|codestral|devstral|magistral)/, 'mistral'],
  [/^(kimi|moonshot)/, 'moonshot'],
  [/^qwen/, 'qwen'],
  [/^glm/, 'zai'],
];

export function vendorOfModel(model: string, fallback: string): string {
  const m = model.trim().toLowerCase();
  const slash = m.indexOf('/');
  if (slash > 0) return m.slice(0, slash);
  for (const [re, vendor] of FAMILIES) if (re.test(m)) return vendor;
  return fallback;
}
