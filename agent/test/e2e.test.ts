// The agent against the real TokenBoard server (withApp: real app, real SQLite file):
// what the proxy measures arrives exactly, and the outbox delivers exactly once through
// outages and a kill -9 in the middle of a send.
import test from 'ava';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { withApp } from '../../test/helpers/app.ts';
import { startProxy } from '../proxy/server.ts';
import { Outbox } from '../outbox.ts';
import { Flusher } from '../flusher.ts';
import { fakeUpstream, json, sse, chunks, waitFor } from './helpers/upstream.ts';
import { gate } from './helpers/gate.ts';
import { ev } from './helpers/events.ts';
import * as c from './helpers/canned.ts';
import { tempDir } from './helpers/tmp.ts';

const stateDir = () => tempDir('tb-e2e-');

test('server totals equal the usage fields the providers reported through the proxy', async (t) => {
  const app = await withApp();
  const up = await fakeUpstream({
    'POST /v1/chat/completions': (req, res) => (JSON.parse(req.body.toString()).stream ? sse(c.chatStream)(req, res) : json(200, c.chatBody)(req, res)),
    'POST /v1/messages': sse(c.messagesStream),
    'POST /v1beta/models/gemini-2.5-pro:streamGenerateContent': sse(c.geminiChunks.map((d) => ({ data: d }))),
    'POST /api/chat': chunks('application/x-ndjson', c.ollamaLines.map((l) => JSON.stringify(l) + '\n')),
  });
  const dir = stateDir();
  const outbox = new Outbox(dir);
  let queued = 0;
  const proxy = await startProxy({ port: 0, upstreams: { openai: up.url, anthropic: up.url, google: up.url, ollama: up.url }, sink: (e) => { outbox.append(e); queued += e.length; } });
  try {
    await app.createUser('ana');
    const tok = await app.createToken('ana');
    const front = await gate(() => app.url);
    const openai = new OpenAI({ apiKey: 'sk-x', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    for await (const _ of await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }));
    const anthropic = new Anthropic({ apiKey: 'sk-ant-x', baseURL: proxy.url, maxRetries: 0 });
    for await (const _ of await anthropic.messages.create({ model: 'claude-test-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true }));
    await (await fetch(`${proxy.url}/google/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`, { method: 'POST', body: '{}' })).text();
    await (await fetch(`${proxy.url}/api/chat`, { method: 'POST', body: '{}' })).text();
    await waitFor(() => queued >= 5, 'five events');
    const flusher = new Flusher(outbox, dir, { server: front.url, user: tok.user_id, token: tok.token });
    t.is(await flusher.flush(), 'empty');
    const s = await app.stats('ana');
    // chat 78 + chat stream 176 + anthropic 3 + gemini 6230 + ollama 36
    t.is(s.input_tokens, 78 + 176 + 3 + 6230 + 36);
    // 651 + 88 + 96 + (412 + 690) + 180
    t.is(s.output_tokens, 651 + 88 + 96 + 1102 + 180);
    // 1408 + 1024 + 22110 + 12000
    t.is(s.cache_read_tokens, 1408 + 1024 + 22110 + 12000);
    t.is(s.cache_write_tokens, 1840);
    t.is(s.events, 5);
    t.is(s.sessions, 4); // one per provider: openai, anthropic, google, ollama
    // The responses carried the marker; nothing of them left the machine.
    t.false(front.bodies.join('\n').includes(c.MARKER));
    t.false(app.logs.join('\n').includes(c.MARKER));
    await front.close();
  } finally {
    await proxy.close();
    await up.close();
    await app.stop();
  }
});

test('server down, then failing, then up: every event delivered exactly once', async (t) => {
  const app = await withApp();
  const front = await gate(() => app.url);
  try {
    await app.createUser('bo');
    const tok = await app.createToken('bo');
    const dir = stateDir();
    const outbox = new Outbox(dir);
    const events = Array.from({ length: 1234 }, (_, i) => ev({ input_tokens: 3, output_tokens: i % 2, source: 'claude-code' }));
    outbox.append(events);
    const flusher = new Flusher(outbox, dir, { server: front.url, user: tok.user_id, token: tok.token });
    front.mode = 'down';
    t.is(await flusher.flush({ ignoreBackoff: true }), 'retry');
    front.mode = 'error';
    t.is(await flusher.flush({ ignoreBackoff: true }), 'retry');
    t.is(outbox.pending().total, 1234);
    t.is((await app.stats('bo')).events, 0);
    front.mode = 'up';
    t.is(await flusher.flush({ ignoreBackoff: true }), 'empty');
    const s = await app.stats('bo');
    t.is(s.events, 1234);
    t.is(s.input_tokens, 1234 * 3); // 3702
    t.is(s.output_tokens, 617); // half of the 1234 events have 1 output token
    // The same events queued again (a re-read log, say) change nothing.
    outbox.append(events.slice(0, 100));
    t.is(await flusher.flush({ ignoreBackoff: true }), 'empty');
    t.is((await app.stats('bo')).events, 1234);
    t.is(flusher.state().last_send?.duplicates, 100);
  } finally {
    await front.close();
    await app.stop();
  }
});

test('agent killed with -9 in the middle of a send: a restart delivers the rest, nothing doubled', async (t) => {
  const app = await withApp();
  const front = await gate(() => app.url);
  try {
    await app.createUser('cy');
    const tok = await app.createToken('cy');
    const dir = stateDir();
    const outbox = new Outbox(dir);
    outbox.append(Array.from({ length: 800 }, () => ev({ input_tokens: 2, output_tokens: 1 })));
    outbox.seal();
    // The server stores the first batch, but its answer never reaches the agent.
    front.mode = 'hold';
    const child = spawn(process.execPath, ['--import=tsx', join(import.meta.dirname, 'helpers/child-flush.ts'), dir, front.url, String(tok.user_id), tok.token], { stdio: 'ignore' });
    await waitFor(() => front.answered >= 1, 'the server to store the first batch', 30_000);
    t.is((await app.stats('cy')).events, 500);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    front.mode = 'up';
    const restarted = new Flusher(new Outbox(dir), dir, { server: front.url, user: tok.user_id, token: tok.token });
    t.is(await restarted.flush(), 'empty');
    const s = await app.stats('cy');
    t.is(s.events, 800);
    t.is(s.input_tokens, 800 * 2);
    t.is(s.output_tokens, 800);
  } finally {
    await front.close();
    await app.stop();
  }
});

test('a revoked token stops sending; status-style ping reports 401 and the queue is kept', async (t) => {
  const app = await withApp();
  try {
    await app.createUser('di');
    const tok = await app.createToken('di');
    const dir = stateDir();
    const outbox = new Outbox(dir);
    outbox.append([ev()]);
    const flusher = new Flusher(outbox, dir, { server: app.url, user: tok.user_id, token: `${tok.token}x` });
    t.is(await flusher.flush(), 'blocked');
    t.is(outbox.pending().total, 1);
    t.regex(flusher.state().blocked!.error, /signature|token/);
  } finally {
    await app.stop();
  }
});
