// The proxy with the official SDKs pointed at it and a fake provider behind it: requests
// arrive upstream verbatim, responses come back byte for byte, usage becomes events.
import test from 'ava';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startProxy, type RunningProxy } from '../proxy/server.ts';
import type { WireEvent } from '../wire.ts';
import { checkBatch } from '../wire.ts';
import { anthropicMessageId } from '../ids.ts';
import { fakeUpstream, json, sse, chunks, waitFor, type FakeUpstream } from './helpers/upstream.ts';
import * as c from './helpers/canned.ts';

interface Ctx { up: FakeUpstream; proxy: RunningProxy; events: WireEvent[] }

async function setup(): Promise<Ctx> {
  const up = await fakeUpstream({
    'POST /v1/chat/completions': (req, res) => {
      const body = JSON.parse(req.body.toString());
      return body.stream ? sse(c.chatStream)(req, res) : json(200, c.chatBody)(req, res);
    },
    'POST /v1/responses': (req, res) => (JSON.parse(req.body.toString()).stream ? sse(c.responsesStream)(req, res) : json(200, c.responsesBody)(req, res)),
    'POST /v1/messages': (req, res) => (JSON.parse(req.body.toString()).stream ? sse(c.messagesStream)(req, res) : json(200, c.messagesBody, { 'request-id': 'req_1' })(req, res)),
    'POST /v1beta/models/gemini-2.5-pro:generateContent': json(200, c.geminiBody),
    'POST /v1beta/models/gemini-2.5-pro:streamGenerateContent': (req, res) => (req.url.includes('alt=sse')
      ? sse(c.geminiChunks.map((d) => ({ data: d })))(req, res)
      : chunks('application/json', ['[', JSON.stringify(c.geminiChunks[0]), ',', JSON.stringify(c.geminiChunks[1]), ']'])(req, res)),
    'POST /api/chat': chunks('application/x-ndjson', c.ollamaLines.map((l) => JSON.stringify(l) + '\n')),
    'POST /api/generate': json(200, c.ollamaLines[1]),
  });
  const events: WireEvent[] = [];
  const upstreams = { openai: up.url, anthropic: up.url, google: up.url, ollama: up.url };
  const proxy = await startProxy({ port: 0, upstreams, sink: (e) => events.push(...e) });
  return { up, proxy, events };
}

async function teardown(ctx: Ctx): Promise<void> {
  await ctx.proxy.close();
  await ctx.up.close();
}

function valid(t: { true(v: boolean, m?: string): void }, events: WireEvent[]): void {
  const check = checkBatch({ events });
  t.true(check.ok, check.ok ? '' : check.error);
}

test('OpenAI SDK chat, not streaming and streaming, through the proxy', async (t) => {
  const ctx = await setup();
  try {
    const client = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${ctx.proxy.url}/v1`, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    t.is(r.choices[0].message.content, `hello ${c.MARKER}`);
    const stream = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    t.is(text, `hello ${c.MARKER}`);
    await waitFor(() => ctx.events.length >= 2, 'two events');
    t.like(ctx.events[0], { provider: 'openai', model: 'gpt-4.1-2025-04-14', is_local: false, input_tokens: 78, cache_read_tokens: 1408, output_tokens: 651, cache_write_tokens: 0, source: 'proxy' });
    t.like(ctx.events[1], { input_tokens: 176, cache_read_tokens: 1024, output_tokens: 88 });
    // The API key went upstream untouched; the Host is the upstream's.
    t.is(ctx.up.seen[0].headers.authorization, 'Bearer sk-test-key');
    t.is(ctx.up.seen[0].headers.host, `127.0.0.1:${ctx.up.port}`);
    valid(t, ctx.events);
    // One session for back-to-back requests.
    t.is(ctx.events[0].session, ctx.events[1].session);
  } finally {
    await teardown(ctx);
  }
});

test('OpenAI SDK responses, not streaming and streaming', async (t) => {
  const ctx = await setup();
  try {
    const client = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${ctx.proxy.url}/v1`, maxRetries: 0 });
    const r = await client.responses.create({ model: 'gpt-5.2', input: 'hi' });
    t.is(r.output_text, `hi ${c.MARKER}`);
    const stream = await client.responses.create({ model: 'gpt-5.2', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    t.deepEqual(types, ['response.created', 'response.output_text.delta', 'response.completed']);
    await waitFor(() => ctx.events.length >= 2, 'two events');
    for (const e of ctx.events) t.like(e, { provider: 'openai', model: 'gpt-5.2', input_tokens: 18996, cache_read_tokens: 8448, output_tokens: 912 });
    valid(t, ctx.events);
  } finally {
    await teardown(ctx);
  }
});

test('Anthropic SDK messages, not streaming and streaming (Bearer auth forwarded)', async (t) => {
  const ctx = await setup();
  try {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: ctx.proxy.url, maxRetries: 0 });
    const r = await client.messages.create({ model: 'claude-test-model', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    t.is(r.id, 'msg_01Hq3v');
    const stream = await client.messages.create({ model: 'claude-test-model', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const ev of stream) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    t.is(text, `Done ${c.MARKER}`);
    await waitFor(() => ctx.events.length >= 2, 'two events');
    t.like(ctx.events[0], { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', input_tokens: 3, cache_write_tokens: 1840, cache_read_tokens: 22110, output_tokens: 96, id: anthropicMessageId('msg_01Hq3v') });
    t.like(ctx.events[1], { input_tokens: 3, cache_write_tokens: 1840, cache_read_tokens: 22110, output_tokens: 96, id: anthropicMessageId('msg_01stream') });
    const auth = ctx.up.seen[0].headers;
    t.true(auth.authorization === 'Bearer sk-ant-test' || auth['x-api-key'] === 'sk-ant-test');
    t.truthy(auth['anthropic-version']);
    valid(t, ctx.events);
  } finally {
    await teardown(ctx);
  }
});

test('Gemini via fetch: generateContent, streamGenerateContent with alt=sse and as a JSON array', async (t) => {
  const ctx = await setup();
  try {
    const base = `${ctx.proxy.url}/v1beta/models/gemini-2.5-pro`;
    const init = { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-test' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }) };
    await (await fetch(`${base}:generateContent`, init)).json();
    const s = await (await fetch(`${base}:streamGenerateContent?alt=sse`, init)).text();
    t.true(s.startsWith('data: '));
    const arr = await (await fetch(`${base}:streamGenerateContent?key=AIza-query`, init)).json();
    t.is(arr.length, 2);
    await waitFor(() => ctx.events.length >= 3, 'three events');
    // 18230 - 12000 = 6230 input; 412 + 690 = 1102 output
    for (const e of ctx.events) t.like(e, { provider: 'google', model: 'gemini-2.5-pro', input_tokens: 6230, cache_read_tokens: 12000, output_tokens: 1102 });
    // The query (here carrying a key) reaches the upstream unchanged.
    t.is(ctx.up.seen[2].url, '/v1beta/models/gemini-2.5-pro:streamGenerateContent?key=AIza-query');
    t.is(ctx.up.seen[0].headers['x-goog-api-key'], 'AIza-test');
  } finally {
    await teardown(ctx);
  }
});

test('Ollama via fetch: streaming /api/chat and /api/generate are local', async (t) => {
  const ctx = await setup();
  try {
    const body = JSON.stringify({ model: 'qwen3:14b', messages: [{ role: 'user', content: 'hi' }] });
    const text = await (await fetch(`${ctx.proxy.url}/api/chat`, { method: 'POST', body })).text();
    t.is(text.split('\n').filter(Boolean).length, 2);
    await (await fetch(`${ctx.proxy.url}/ollama/api/generate`, { method: 'POST', body })).json();
    await waitFor(() => ctx.events.length >= 2, 'two events');
    for (const e of ctx.events) t.like(e, { provider: 'ollama', model: 'qwen3:14b', is_local: true, input_tokens: 36, output_tokens: 180 });
  } finally {
    await teardown(ctx);
  }
});

test('an upstream 429 reaches the client unchanged (status, headers, body) and makes no event', async (t) => {
  const ctx = await setup();
  try {
    const errBody = { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } };
    ctx.up.routes.set('POST /v1/messages', json(429, errBody, { 'retry-after': '7', 'x-upstream-note': 'kept' }));
    const res = await fetch(`${ctx.proxy.url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' }, body: '{}' });
    t.is(res.status, 429);
    t.is(res.headers.get('retry-after'), '7');
    t.is(res.headers.get('x-upstream-note'), 'kept');
    t.deepEqual(await res.json(), errBody);
    // The SDK sees the same error.
    const client = new Anthropic({ apiKey: 'k', baseURL: ctx.proxy.url, maxRetries: 0 });
    const err = await t.throwsAsync(client.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }));
    t.is((err as { status?: number }).status, 429);
    await fetch(`${ctx.proxy.url}/v1/chat/completions`, { method: 'POST', body: '{}' }).then((r) => r.text());
    // A later successful request's event arrives; none came before it.
    await waitFor(() => ctx.events.length >= 1, 'the chat event');
    t.is(ctx.events.length, 1);
    t.is(ctx.events[0].provider, 'openai');
  } finally {
    await teardown(ctx);
  }
});

/** Raw bytes of a response, no decoding of any kind. */
function rawGet(url: string, method = 'POST', body = '{"stream":true}', headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('response bytes are identical to the upstream\'s (SSE, gzip, errors)', async (t) => {
  const ctx = await setup();
  try {
    const gz = gzipSync(JSON.stringify(c.chatBody));
    ctx.up.routes.set('POST /v1/completions', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gz.length) });
      res.end(gz);
    });
    ctx.up.routes.set('POST /v1/embeddings', json(500, { error: { message: `boom ${c.MARKER}` } }));
    for (const path of ['/v1/messages', '/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/responses']) {
      const direct = await rawGet(`${ctx.up.url}${path}`);
      const via = await rawGet(`${ctx.proxy.url}${path}`);
      t.is(via.status, direct.status, path);
      t.true(via.body.equals(direct.body), `${path} bytes differ`);
      t.is(via.headers['content-type'], direct.headers['content-type']);
      t.is(via.headers['content-encoding'], direct.headers['content-encoding']);
    }
    // The gzip body's usage was read from an inflated copy.
    await waitFor(() => ctx.events.find((e) => e.input_tokens === 78), 'the gzip event');
  } finally {
    await teardown(ctx);
  }
});

test('streaming: the client gets the first chunk before upstream sends the rest', async (t) => {
  const ctx = await setup();
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  ctx.up.routes.set('POST /v1/messages', async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`event: message_start\ndata: ${JSON.stringify(c.messagesStream[0].data)}\n\n`);
    await released; // the rest only after the client has seen the first event
    for (const e of c.messagesStream.slice(1)) res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    res.end();
  });
  try {
    const res = await fetch(`${ctx.proxy.url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' }, body: '{"stream":true}' });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    t.true(first.includes('message_start'));
    t.is(ctx.events.length, 0);
    release();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    t.true(rest.includes('message_stop'));
    await waitFor(() => ctx.events.length === 1, 'the event');
    t.is(ctx.events[0].output_tokens, 96);
  } finally {
    await teardown(ctx);
  }
});

test('request forwarded verbatim: method, path, query, body; hop-by-hop headers dropped', async (t) => {
  const ctx = await setup();
  try {
    ctx.up.routes.set('PUT /v1/files/abc', json(200, { ok: true }));
    const body = Buffer.from(`{"x":"${c.MARKER}"}`);
    const res = await rawGet(`${ctx.proxy.url}/openai/v1/files/abc?purpose=a%20b&x=1`, 'PUT', body.toString(), { 'x-custom': 'yes', connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'proxy-authorization': 'secret' });
    t.is(res.status, 200);
    const seen = ctx.up.seen[0];
    t.is(seen.method, 'PUT');
    t.is(seen.url, '/v1/files/abc?purpose=a%20b&x=1');
    t.true(seen.body.equals(body));
    t.is(seen.headers['x-custom'], 'yes');
    t.is(seen.headers['x-drop-me'], undefined);
    t.is(seen.headers['proxy-authorization'], undefined);
  } finally {
    await teardown(ctx);
  }
});

test('Anthropic SDK: 1-hour cache writes through the proxy, streaming and not', async (t) => {
  const ctx = await setup();
  ctx.up.routes.set('POST /v1/messages', (req, res) => (JSON.parse(req.body.toString()).stream ? sse(c.messagesStream1h)(req, res) : json(200, c.messagesBody1h)(req, res)));
  try {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: ctx.proxy.url, maxRetries: 0 });
    const r = await client.messages.create({ model: 'claude-opus-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    t.is(r.usage.cache_creation?.ephemeral_1h_input_tokens, 2000);
    let text = '';
    for await (const ev of await client.messages.create({ model: 'claude-opus-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], stream: true })) {
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    }
    t.is(text, `Long ${c.MARKER}`);
    await waitFor(() => ctx.events.length >= 2, 'two events');
    // 1000 (5 min) + 2000 (1 h) = 3000 written, 2000 of them for an hour
    const want = { provider: 'anthropic', input_tokens: 6, cache_read_tokens: 12000, cache_write_tokens: 3000, cache_write_1h_tokens: 2000, output_tokens: 50 };
    t.like(ctx.events[0], { ...want, id: anthropicMessageId('msg_01hour') });
    t.like(ctx.events[1], { ...want, id: anthropicMessageId('msg_01hourstream') });
    valid(t, ctx.events);
  } finally {
    await teardown(ctx);
  }
});

test('routes: prefixes and the anthropic-version hint pick the provider', async (t) => {
  const a = await fakeUpstream({ 'GET /v1/models': json(200, { who: 'anthropic' }) });
  const o = await fakeUpstream({ 'GET /v1/models': json(200, { who: 'openai' }) });
  const events: WireEvent[] = [];
  const proxy = await startProxy({ port: 0, upstreams: { openai: o.url, anthropic: a.url, google: o.url, ollama: o.url }, sink: (e) => events.push(...e) });
  try {
    t.deepEqual(await (await fetch(`${proxy.url}/v1/models`)).json(), { who: 'openai' });
    t.deepEqual(await (await fetch(`${proxy.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } })).json(), { who: 'anthropic' });
    t.deepEqual(await (await fetch(`${proxy.url}/anthropic/v1/models`)).json(), { who: 'anthropic' });
    const nf = await fetch(`${proxy.url}/nothing/here`);
    t.is(nf.status, 404);
    await nf.text();
  } finally {
    await proxy.close();
    await a.close();
    await o.close();
  }
});

test('an unreachable upstream is a 502 that names no URL', async (t) => {
  const events: WireEvent[] = [];
  const warnings: string[] = [];
  const dead = 'http://127.0.0.1:9/secret-path';
  const proxy = await startProxy({ port: 0, upstreams: { openai: dead, anthropic: dead, google: dead, ollama: dead }, sink: (e) => events.push(...e), warn: (l) => warnings.push(l) });
  try {
    const res = await fetch(`${proxy.url}/v1/chat/completions?key=k`, { method: 'POST', body: '{}' });
    t.is(res.status, 502);
    const text = await res.text();
    t.false(text.includes('127.0.0.1:9'));
    t.false(text.includes('secret-path'));
    t.false(warnings.join('\n').includes('secret-path'));
    t.is(events.length, 0);
  } finally {
    await proxy.close();
  }
});

test('requests from Codex are left to its log collector (no double count)', async (t) => {
  const ctx = await setup();
  try {
    await (await fetch(`${ctx.proxy.url}/v1/responses`, { method: 'POST', headers: { originator: 'codex_cli_rs' }, body: '{}' })).json();
    await (await fetch(`${ctx.proxy.url}/v1/chat/completions`, { method: 'POST', body: '{}' })).json();
    await waitFor(() => ctx.events.length >= 1, 'the chat event');
    t.is(ctx.events.length, 1);
    t.is(ctx.events[0].input_tokens, 78);
  } finally {
    await teardown(ctx);
  }
});

test('a client that leaves mid-stream cancels the upstream request and makes no event', async (t) => {
  const ctx = await setup();
  let upstreamClosed!: () => void;
  const closed = new Promise<void>((r) => { upstreamClosed = r; });
  ctx.up.routes.set('POST /v1/messages', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`event: message_start\ndata: ${JSON.stringify(c.messagesStream[0].data)}\n\n`);
    res.on('close', () => upstreamClosed()); // never ends by itself
  });
  try {
    const ac = new AbortController();
    const res = await fetch(`${ctx.proxy.url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' }, body: '{}', signal: ac.signal });
    await res.body!.getReader().read();
    ac.abort();
    await closed;
    t.is(ctx.events.length, 0);
  } finally {
    await teardown(ctx);
  }
});
