// Naming a provider from a model id (agent/collectors/provider.ts), where the three collector
// branches used to disagree: an OpenRouter-style vendor folder is named as the price table
// names that vendor, a vendor of no known family is still named, the sqlite tools' bare
// model names keep their family.
import test from 'ava';
import { providerOf } from '../collectors/provider.ts';

test('OpenRouter-style ids: the family of the model after the slash, else the vendor before it', (t) => {
  t.is(providerOf('moonshotai/kimi-k2'), 'moonshot');
  t.is(providerOf('qwen/qwen3-coder'), 'alibaba');
  t.is(providerOf('z-ai/glm-4.6'), 'zhipu');
  t.is(providerOf('x-ai/grok-4'), 'xai');
  t.is(providerOf('mistralai/devstral-medium'), 'mistral');
  t.is(providerOf('meta-llama/llama-4-maverick'), 'meta-llama');
  t.is(providerOf('meta-llama/llama-4-maverick', 'groq'), 'groq', 'a provider the log names wins');
});

test('names without a vendor prefix: a Claude model by its name, an unknown one by the fallback', (t) => {
  t.is(providerOf('sonnet-4.5'), 'anthropic');
  t.is(providerOf('magistral-medium'), 'mistral');
  t.is(providerOf('llama3:8b', undefined, 'ollama'), 'ollama');
  t.is(providerOf(''), 'unknown');
});
