// The CLI-tool collectors' pure pieces: where each tool's logs are looked for, the token
// rules per format, the split of an over-limit aggregate, the protobuf reader.
import test from 'ava';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { logRootsFrom } from '../config.ts';
import { splitEvent as splitLarge } from '../collectors/split.ts';
import { providerOf } from '../collectors/provider.ts';
import { copilotCounts } from '../collectors/copilot-cli.ts';
import { grokCounts } from '../collectors/grok.ts';
import { zcodeCounts } from '../collectors/zcode.ts';
import { codebuffCounts } from '../collectors/codebuff.ts';
import { decodeGeneration } from '../collectors/antigravity.ts';
import { epochMs } from '../collectors/time.ts';
import { generationBlob } from './helpers/cli-tools-stores.ts';
import { ev } from './helpers/events.ts';
import { tempDir } from './helpers/tmp.ts';

const H = '/home/ana';

test('default locations: the folders each tool (and ccusage) uses under the home folder', (t) => {
  const r = logRootsFrom({}, H);
  t.deepEqual(r.copilot, [join(H, '.copilot/otel')]);
  t.deepEqual(r.amp, [join(H, '.local/share/amp')]);
  t.deepEqual(r.pi, [join(H, '.pi/agent/sessions')]);
  t.deepEqual(r.openclaw, ['.openclaw', '.clawdbot', '.moltbot', '.moldbot'].map((d) => join(H, d)));
  t.deepEqual(r.kimi, [join(H, '.kimi')]);
  t.deepEqual(r.qwen, [join(H, '.qwen')]);
  t.deepEqual(r.codebuff, ['manicode', 'manicode-dev', 'manicode-staging'].map((c) => join(H, '.config', c)));
  t.deepEqual(r.grok, [join(H, '.grok')]);
  t.deepEqual(r.antigravity, ['antigravity', 'antigravity-cli', 'antigravity-ide', 'antigravity-backup'].map((n) => join(H, '.gemini', n)));
  t.deepEqual(r.zcode, [join(H, '.zcode')]);
});

test('the tools\' own variables, and ccusage\'s comma-list variables before them', (t) => {
  const own = logRootsFrom({
    COPILOT_HOME: '/c', COPILOT_OTEL_FILE_EXPORTER_PATH: '/tmp/otel.jsonl', XDG_DATA_HOME: '/xdg', PI_CODING_AGENT_DIR: '/p',
    OPENCLAW_STATE_DIR: '/oc', CLAWDBOT_STATE_DIR: '/cb', KIMI_SHARE_DIR: '/k', QWEN_HOME: '/q', QWEN_RUNTIME_DIR: '/qr', GEMINI_CLI_HOME: '/g',
  }, H);
  t.deepEqual(own.copilot, ['/c/otel', '/tmp/otel.jsonl']);
  t.deepEqual(own.amp, ['/xdg/amp', join(H, '.local/share/amp')]);
  t.deepEqual(own.pi, ['/p/sessions']);
  t.deepEqual(own.openclaw, ['/oc', '/cb', ...['.clawdbot', '.moltbot', '.moldbot'].map((d) => join(H, d))]);
  t.deepEqual(own.kimi, ['/k']);
  t.deepEqual(own.qwen, ['/qr', '/q']);
  t.deepEqual(own.antigravity[0], '/g/.gemini/antigravity');
  const cc = logRootsFrom({
    AMP_DATA_DIR: '/a1, /a2', PI_AGENT_DIR: '/s1,/s2', OPENCLAW_DIR: '/o', KIMI_DATA_DIR: '/k1,/k2', QWEN_DATA_DIR: '/q1',
    CODEBUFF_DATA_DIR: '/cb/projects', GROK_HOME: '/g1,/g2', ANTIGRAVITY_DATA_DIR: '/ag', ZCODE_HOME: '/z',
    OPENCLAW_STATE_DIR: '/ignored', KIMI_SHARE_DIR: '/ignored', QWEN_HOME: '/ignored',
  }, H);
  t.deepEqual([cc.amp, cc.pi, cc.openclaw, cc.kimi, cc.qwen, cc.codebuff, cc.grok, cc.antigravity, cc.zcode],
    [['/a1', '/a2'], ['/s1', '/s2'], ['/o'], ['/k1', '/k2'], ['/q1'], ['/cb/projects'], ['/g1', '/g2'], ['/ag'], ['/z']]);
});

test('openclaw: its --profile folders (~/.openclaw-<name>) are state folders too', (t) => {
  const home = tempDir();
  for (const d of ['.openclaw', '.openclaw-work', '.openclaw-dev', '.openclawish']) mkdirSync(join(home, d));
  t.deepEqual(logRootsFrom({}, home).openclaw, ['.openclaw', '.openclaw-dev', '.openclaw-work', '.clawdbot', '.moltbot', '.moldbot'].map((d) => join(home, d)));
});

test('splitLarge: an event over 2,000,000 tokens becomes parts under the limit that sum to it exactly', (t) => {
  const big = ev({ input_tokens: 3_000_001, output_tokens: 7, cache_read_tokens: 2_000_000, cache_write_tokens: 5, cache_write_1h_tokens: 3, id: 'x-1' });
  const parts = splitLarge(big);
  // 5,000,013 tokens → 3 parts
  t.is(parts.length, 3);
  t.true(parts.every((p) => p.input_tokens + p.output_tokens + p.cache_read_tokens + p.cache_write_tokens <= 2_000_000));
  const sum = (k: 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens' | 'cache_write_1h_tokens') => parts.reduce((s, p) => s + (p[k] ?? 0), 0);
  t.deepEqual([sum('input_tokens'), sum('output_tokens'), sum('cache_read_tokens'), sum('cache_write_tokens'), sum('cache_write_1h_tokens')], [3_000_001, 7, 2_000_000, 5, 3]);
  t.true(parts.every((p) => (p.cache_write_1h_tokens ?? 0) <= p.cache_write_tokens));
  t.deepEqual(parts.map((p) => p.id), ['x-1:1', 'x-1:2', 'x-1:3']);
  t.deepEqual(splitLarge(ev({ input_tokens: 2_000_000, output_tokens: 0, id: 'y' })).map((p) => p.id), ['y']);
});

test('token rules per format', (t) => {
  // Copilot: reads and writes inside input (the GenAI conventions) …
  t.deepEqual(copilotCounts({ 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 5, 'gen_ai.usage.cache_read.input_tokens': 60, 'gen_ai.usage.cache_write.input_tokens': 30 }), [10, 5, 60, 30]);
  // … unless they add up to more than input: then input was already uncached
  t.deepEqual(copilotCounts({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5, 'gen_ai.usage.cache_read.input_tokens': 60 }), [10, 5, 60, 0]);
  // Grok: no total written: reasoning taken as inside output; cached out of input
  t.deepEqual(grokCounts({ inputTokens: 50, outputTokens: 9, cachedReadTokens: 20, reasoningTokens: 4 }), [30, 9, 20, 0]);
  t.is(grokCounts({ inputTokens: 0, outputTokens: 0, totalTokens: 99 }), null);
  // ZCode: inclusive by default; apart when the computed total is every column summed
  t.deepEqual(zcodeCounts({ input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 70, cache_creation_input_tokens: 20, reasoning_tokens: 3 }), [10, 10, 70, 20]);
  t.deepEqual(zcodeCounts({ input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 70, cache_creation_input_tokens: 20, reasoning_tokens: 3, computed_total_tokens: 203 }), [100, 13, 70, 20]);
  // Codebuff: Anthropic-shaped input is uncached; OpenAI-shaped prompt counts include the cached tokens
  t.deepEqual(codebuffCounts({ inputTokens: 10, outputTokens: 1, cacheReadInputTokens: 90 }), [10, 1, 90, 0]);
  t.deepEqual(codebuffCounts({ promptTokens: 100, completionTokens: 1, promptTokensDetails: { cachedTokens: 90 } }), [10, 1, 90, 0]);
  t.is(codebuffCounts({ credits: 2 }), null);
});

test('providers from model families; times in s, ms, µs and ns', (t) => {
  t.deepEqual(['claude-sonnet-4.5', 'anthropic/claude-opus-4-5', 'gpt-5.2', 'o3-mini', 'gemini-3-pro', 'grok-4.5', 'kimi-k2', 'qwen3-coder-plus', 'glm-5.2', 'mystery'].map((m) => providerOf(m)),
    ['anthropic', 'anthropic', 'openai', 'openai', 'google', 'xai', 'moonshot', 'alibaba', 'zhipu', 'unknown']);
  t.is(providerOf('gpt-5', 'openrouter'), 'openrouter', 'a provider the log names wins');
  const ms = Date.UTC(2026, 5, 1, 10, 0, 0, 250);
  t.deepEqual([epochMs(ms / 1000), epochMs(ms), epochMs(ms * 1000), epochMs(String(BigInt(ms) * 1_000_000n)), epochMs('2026-06-01T10:00:00.250Z'), epochMs(-1), epochMs('soon')], [ms, ms, ms, ms, ms, null, null]);
});

test('protobuf: an Antigravity generation decoded; corrupt blobs give nothing rather than a throw', (t) => {
  const ts = Date.UTC(2026, 0, 2, 0, 0, 0, 429);
  const blob = generationBlob({ model: 'gemini-3.1-pro-low', ts, system: 1036, fresh: 6321, read: 36491, output: 604, thinking: 117, response: 'resp-1' });
  t.deepEqual(decodeGeneration(blob), { model: 'gemini-3.1-pro-low', ts, n: [1036 + 6321, 604 + 117, 36491], response: 'resp-1' });
  t.deepEqual(decodeGeneration(blob.subarray(0, 9)), { model: undefined, ts: null, n: [0, 0, 0], response: undefined });
  t.deepEqual(decodeGeneration(Buffer.from([0xff, 0xff, 0xff])), { model: undefined, ts: null, n: [0, 0, 0], response: undefined });
});
