// wrapFetch as the `fetch` option of both official SDKs, talking straight to a fake
// provider (no proxy): the same events the proxy would record.
import test from 'ava';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { wrapFetch } from '../shim.ts';
import { Outbox } from '../outbox.ts';
import { anthropicMessageId } from '../ids.ts';
import type { WireEvent } from '../wire.ts';
import { fakeUpstream, json, sse, waitFor } from './helpers/upstream.ts';
import * as c from './helpers/canned.ts';
import { tempDir } from './helpers/tmp.ts';

async function provider() {
  return fakeUpstream({
    'POST /v1/chat/completions': (req, res) => (JSON.parse(req.body.toString()).stream ? sse(c.chatStream)(req, res) : json(200, c.chatBody)(req, res)),
    'POST /v1/responses': (req, res) => (JSON.parse(req.body.toString()).stream ? sse(c.responsesStream)(req, res) : json(200, c.responsesBody)(req, res)),
    'POST /v1/messages': (req, res) => (JSON.parse(req.body.toString()).stream ? sse(c.messagesStream)(req, res) : json(200, c.messagesBody)(req, res)),
  });
}

test('OpenAI SDK with wrapFetch: chat and responses, streaming and not', async (t) => {
  const up = await provider();
  const events: WireEvent[] = [];
  try {
    const client = new OpenAI({ apiKey: 'sk-x', baseURL: `${up.url}/v1`, fetch: wrapFetch(fetch, { sink: (e) => events.push(...e) }), maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    t.is(r.choices[0].message.content, `hello ${c.MARKER}`);
    let text = '';
    for await (const ch of await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })) text += ch.choices[0]?.delta?.content ?? '';
    t.is(text, `hello ${c.MARKER}`);
    t.is((await client.responses.create({ model: 'gpt-5.2', input: 'x' })).output_text, `hi ${c.MARKER}`);
    for await (const _ of await client.responses.create({ model: 'gpt-5.2', input: 'x', stream: true }));
    await waitFor(() => events.length >= 4, 'four events');
    t.like(events[0], { provider: 'openai', input_tokens: 78, cache_read_tokens: 1408, output_tokens: 651, source: 'proxy' });
    t.like(events[1], { input_tokens: 176, cache_read_tokens: 1024, output_tokens: 88 });
    t.like(events[2], { input_tokens: 18996, cache_read_tokens: 8448, output_tokens: 912 });
    t.like(events[3], { input_tokens: 18996, cache_read_tokens: 8448, output_tokens: 912 });
  } finally {
    await up.close();
  }
});

test('Anthropic SDK with wrapFetch: 1-hour cache writes, streaming and not', async (t) => {
  const up = await fakeUpstream({ 'POST /v1/messages': (req, res) => (JSON.parse(req.body.toString()).stream ? sse(c.messagesStream1h)(req, res) : json(200, c.messagesBody1h)(req, res)) });
  const events: WireEvent[] = [];
  try {
    const client = new Anthropic({ apiKey: 'sk-ant-x', baseURL: up.url, fetch: wrapFetch(fetch, { sink: (e) => events.push(...e) }), maxRetries: 0 });
    await client.messages.create({ model: 'claude-opus-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    for await (const _ of await client.messages.create({ model: 'claude-opus-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], stream: true }));
    await waitFor(() => events.length >= 2, 'two events');
    // 1000 (5 min) + 2000 (1 h) = 3000 written, 2000 of them for an hour
    const want = { input_tokens: 6, cache_read_tokens: 12000, cache_write_tokens: 3000, cache_write_1h_tokens: 2000, output_tokens: 50 };
    t.like(events[0], { ...want, id: anthropicMessageId('msg_01hour') });
    t.like(events[1], { ...want, id: anthropicMessageId('msg_01hourstream') });
  } finally {
    await up.close();
  }
});

test('Anthropic SDK with wrapFetch: messages, streaming and not; errors pass through', async (t) => {
  const up = await provider();
  const events: WireEvent[] = [];
  try {
    const client = new Anthropic({ apiKey: 'sk-ant-x', baseURL: up.url, fetch: wrapFetch(fetch, { sink: (e) => events.push(...e) }), maxRetries: 0 });
    t.is((await client.messages.create({ model: 'claude-test-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).id, 'msg_01Hq3v');
    for await (const _ of await client.messages.create({ model: 'claude-test-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], stream: true }));
    await waitFor(() => events.length >= 2, 'two events');
    t.like(events[0], { provider: 'anthropic', input_tokens: 3, cache_write_tokens: 1840, cache_read_tokens: 22110, output_tokens: 96, id: anthropicMessageId('msg_01Hq3v') });
    t.like(events[1], { provider: 'anthropic', output_tokens: 96, id: anthropicMessageId('msg_01stream') });
    up.routes.set('POST /v1/messages', json(429, { type: 'error', error: { type: 'rate_limit_error', message: 'slow' } }, { 'retry-after': '3' }));
    const err = await t.throwsAsync(client.messages.create({ model: 'claude-test-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }));
    t.is((err as { status?: number }).status, 429);
    t.is(events.length, 2);
  } finally {
    await up.close();
  }
});

test('by default the shim queues events in the outbox of TOKENBOARD_STATE_DIR', async (t) => {
  const up = await provider();
  const dir = tempDir('tb-shim-');
  const before = process.env.TOKENBOARD_STATE_DIR;
  process.env.TOKENBOARD_STATE_DIR = dir;
  try {
    const wrapped = wrapFetch(fetch);
    await (await wrapped(`${up.url}/v1/chat/completions`, { method: 'POST', body: '{}' })).json();
    const outbox = new Outbox(dir);
    await waitFor(() => outbox.pending().total === 1, 'the queued event');
    t.deepEqual(outbox.pending().bySource, { proxy: 1 });
  } finally {
    if (before === undefined) delete process.env.TOKENBOARD_STATE_DIR;
    else process.env.TOKENBOARD_STATE_DIR = before;
    await up.close();
  }
});

test('a failing sink never breaks the caller', async (t) => {
  const up = await provider();
  try {
    const wrapped = wrapFetch(fetch, { sink: () => { throw new Error('disk full'); } });
    const body = await (await wrapped(`${up.url}/v1/chat/completions`, { method: 'POST', body: '{}' })).json();
    t.is(body.id, 'chatcmpl-9x');
    // Give the sink's promise a turn to fail; an unhandled rejection would fail the test run.
    await new Promise((r) => setTimeout(r, 50));
    t.pass();
  } finally {
    await up.close();
  }
});
