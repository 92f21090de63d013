// The usage extractors and the stream reader, without any server: bytes in, counts out.
import test from 'ava';
import { gzipSync } from 'node:zlib';
import { extractorFor } from '../proxy/extract/index.ts';
import { UsageReader, framingOf, type Framing } from '../proxy/reader.ts';
import type { ExtractorKind } from '../proxy/usage.ts';
import * as c from './helpers/canned.ts';

function sseText(events: Array<{ event?: string; data: unknown }>): string {
  return events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`).join('');
}

/** Feeds `text` in chunks of `size` bytes (splitting lines and multi-byte characters). */
async function read(kind: ExtractorKind, framing: Framing, body: string | Buffer, size = 7, encoding?: string, pathModel: string | null = null) {
  const r = new UsageReader(extractorFor(kind, pathModel), framing, encoding);
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  for (let i = 0; i < bytes.length; i += size) r.feed(bytes.subarray(i, i + size));
  return r.finish();
}

test('openai chat, not streaming: cached tokens leave input, reasoning stays in output', async (t) => {
  const u = await read('openai-chat', 'json', JSON.stringify(c.chatBody));
  // 1486 prompt - 1408 cached = 78
  t.like(u, { model: 'gpt-4.1-2025-04-14', input_tokens: 78, cache_read_tokens: 1408, output_tokens: 651, cache_write_tokens: 0, responseId: 'chatcmpl-9x' });
});

test('openai chat, streaming: only the final usage chunk counts', async (t) => {
  const u = await read('openai-chat', 'sse', sseText(c.chatStream), 5);
  // 1200 - 1024 = 176
  t.like(u, { input_tokens: 176, cache_read_tokens: 1024, output_tokens: 88, model: 'gpt-4.1-2025-04-14' });
});

test('openai chat, streaming without include_usage: no usage, no event', async (t) => {
  t.is(await read('openai-chat', 'sse', sseText(c.chatStream.filter((e) => typeof e.data === 'string' || (e.data as { usage: unknown }).usage === null))), null);
});

test('openai chat: a compatible backend sending choices null on the usage chunk', async (t) => {
  const text = sseText([{ data: { id: 'x', model: 'm', choices: null, usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } } }, { data: '[DONE]' }]);
  t.like(await read('openai-chat', 'sse', text), { input_tokens: 10, output_tokens: 2, cache_read_tokens: 0 });
});

test('openai embeddings: prompt tokens only', async (t) => {
  t.like(await read('openai-chat', 'json', JSON.stringify({ object: 'list', model: 'text-embedding-3-small', usage: { prompt_tokens: 8, total_tokens: 8 } })), { input_tokens: 8, output_tokens: 0 });
});

test('openai responses, not streaming and streaming (response.completed)', async (t) => {
  // 27444 - 8448 = 18996
  const want = { input_tokens: 18996, cache_read_tokens: 8448, output_tokens: 912, model: 'gpt-5.2', responseId: 'resp_01abc' };
  t.like(await read('openai-responses', 'json', JSON.stringify(c.responsesBody)), want);
  t.like(await read('openai-responses', 'sse', sseText(c.responsesStream), 11), want);
});

test('openai responses: a stream that never completes gives nothing', async (t) => {
  t.is(await read('openai-responses', 'sse', sseText(c.responsesStream.slice(0, 2))), null);
});

test('anthropic, not streaming: counts as reported', async (t) => {
  t.like(await read('anthropic', 'json', JSON.stringify(c.messagesBody)), { input_tokens: 3, cache_write_tokens: 1840, cache_read_tokens: 22110, output_tokens: 96, responseId: 'msg_01Hq3v' });
});

test('anthropic, streaming: message_start then the latest message_delta (not a sum)', async (t) => {
  const u = await read('anthropic', 'sse', sseText(c.messagesStream), 3);
  // output is the last delta's 96, not 1 + 40 + 96; a null input_tokens in a delta changes nothing
  t.like(u, { input_tokens: 3, cache_write_tokens: 1840, cache_read_tokens: 22110, output_tokens: 96, model: 'claude-sonnet-4-5-20250929', responseId: 'msg_01stream' });
});

test('anthropic, streaming cut before any message_delta: no event', async (t) => {
  t.is(await read('anthropic', 'sse', sseText(c.messagesStream.slice(0, 3))), null);
});

test('anthropic: cache writes from the TTL split when the total is absent', async (t) => {
  const body = { ...c.messagesBody, usage: { input_tokens: 5, output_tokens: 7, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 30 } } };
  t.like(await read('anthropic', 'json', JSON.stringify(body)), { cache_write_tokens: 40, cache_read_tokens: 0 });
});

test('anthropic: the 1-hour part of cache writes, streaming and not; absent when the response has no split', async (t) => {
  // 1000 (5 min) + 2000 (1 h) = 3000 written
  const want = { input_tokens: 6, cache_read_tokens: 12000, cache_write_tokens: 3000, cache_write_1h_tokens: 2000, output_tokens: 50 };
  t.like(await read('anthropic', 'json', JSON.stringify(c.messagesBody1h)), { ...want, responseId: 'msg_01hour' });
  t.like(await read('anthropic', 'sse', sseText(c.messagesStream1h), 4), { ...want, responseId: 'msg_01hourstream' });
  // The older shape (no cache_creation) gives no 1-hour figure at all, not a 0.
  const old = await read('anthropic', 'sse', sseText(c.messagesStream), 3);
  t.false(!old || 'cache_write_1h_tokens' in old);
  // A split that claims more than the writes it splits is held to them (the wire refuses more).
  const odd = { ...c.messagesBody, usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 300, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 500 } } };
  t.like(await read('anthropic', 'json', JSON.stringify(odd)), { cache_write_tokens: 300, cache_write_1h_tokens: 300 });
});

test('gemini: cached leaves input, thoughts join output; last usageMetadata wins', async (t) => {
  // input 18230 - 12000 = 6230; output 412 + 690 = 1102
  const want = { input_tokens: 6230, cache_read_tokens: 12000, output_tokens: 1102, model: 'gemini-2.5-pro' };
  t.like(await read('gemini', 'json', JSON.stringify(c.geminiBody)), want);
  t.like(await read('gemini', 'sse', sseText(c.geminiChunks.map((d) => ({ data: d }))), 9), want);
  // Without alt=sse the stream is one JSON array.
  t.like(await read('gemini', 'json', JSON.stringify(c.geminiChunks), 9), want);
});

test('gemini: model from the path when the response names none', async (t) => {
  const { modelVersion: _m, ...body } = c.geminiBody;
  t.like(await read('gemini', 'json', JSON.stringify(body), 50, undefined, 'gemini-2.5-flash'), { model: 'gemini-2.5-flash' });
});

test('gemini: tool-use prompt tokens are input', async (t) => {
  const body = { usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 10, toolUsePromptTokenCount: 5 } };
  // 100 - 40 + 5 = 65
  t.like(await read('gemini', 'json', JSON.stringify(body)), { input_tokens: 65, cache_read_tokens: 40, output_tokens: 10 });
});

test('ollama: the done:true line, streaming (NDJSON) and not', async (t) => {
  const ndjson = c.ollamaLines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  const want = { input_tokens: 36, output_tokens: 180, cache_read_tokens: 0, model: 'qwen3:14b' };
  t.like(await read('ollama', 'ndjson', ndjson, 13), want);
  t.like(await read('ollama', 'json', JSON.stringify(c.ollamaLines[1])), want);
  // A stream sent with a JSON content type is read line by line.
  t.like(await read('ollama', 'json', ndjson), want);
  t.is(await read('ollama', 'ndjson', JSON.stringify(c.ollamaLines[0]) + '\n'), null);
});

test('ollama: a prompt served from the KV cache has no prompt_eval_count', async (t) => {
  t.like(await read('ollama', 'json', JSON.stringify({ model: 'llama3', done: true, eval_count: 12 })), { input_tokens: 0, output_tokens: 12 });
});

test('compressed bodies are inflated on the side (gzip)', async (t) => {
  t.like(await read('openai-chat', 'json', gzipSync(JSON.stringify(c.chatBody)), 16, 'gzip'), { input_tokens: 78, output_tokens: 651 });
});

test('an unknown encoding gives no usage instead of garbage', async (t) => {
  t.is(await read('openai-chat', 'json', Buffer.from('xx'), 16, 'zstd'), null);
});

test('CRLF line endings and multi-byte characters split across chunks', async (t) => {
  const text = sseText(c.chatStream).replace(/\n/g, '\r\n').replace('hel', 'hél✓');
  t.like(await read('openai-chat', 'sse', text, 1), { input_tokens: 176, output_tokens: 88 });
});

test('framing from the content type', (t) => {
  t.is(framingOf('text/event-stream; charset=utf-8'), 'sse');
  t.is(framingOf('application/x-ndjson'), 'ndjson');
  t.is(framingOf('application/json'), 'json');
  t.is(framingOf(undefined), 'json');
});

test('a body that is not JSON gives no usage and no error', async (t) => {
  t.is(await read('anthropic', 'json', '<html>502</html>'), null);
});
