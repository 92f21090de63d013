// The proxy refuses what a web page could send it: another Host (DNS rebinding), a
// browser's Origin, CORS preflights. Raw requests over loopback, a fake upstream behind;
// the official SDK still goes through.
import test from 'ava';
import http from 'node:http';
import OpenAI from 'openai';
import { startProxy, type RunningProxy } from '../proxy/server.ts';
import { allowedOrigins, refusalOf } from '../proxy/guard.ts';
import { fakeUpstream, json, type FakeUpstream } from './helpers/upstream.ts';
import * as c from './helpers/canned.ts';

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }

function send(port: number, o: { method?: string; host?: string | null; headers?: Record<string, string> }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.headers ?? {}) };
    const req = http.request({ host: '127.0.0.1', port, method: o.method ?? 'POST', path: '/v1/chat/completions', headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    if (o.host !== null) req.setHeader('Host', o.host ?? `127.0.0.1:${port}`);
    req.on('error', reject);
    req.end(o.method === 'OPTIONS' ? undefined : JSON.stringify({ model: 'gpt-4.1-mini', messages: [] }));
  });
}

let up: FakeUpstream;
let proxy: RunningProxy;
let calls = 0;
const events: unknown[] = [];

test.before(async () => {
  up = await fakeUpstream({ 'POST /v1/chat/completions': (req, res) => { calls++; return json(200, c.chatBody)(req, res); } });
  const u = { openai: up.url, anthropic: up.url, google: up.url, ollama: up.url };
  proxy = await startProxy({ port: 0, upstreams: u, sink: (e) => events.push(...e), allowOrigins: allowedOrigins('http://localhost:5173, https://tools.example.com/') });
});
test.after.always(async () => {
  await proxy?.close();
  await up?.close();
});

test.serial('loopback Host with the proxy port passes; the upstream sees the request', async (t) => {
  const before = calls;
  for (const host of [`127.0.0.1:${proxy.port}`, `localhost:${proxy.port}`, `LOCALHOST:${proxy.port}`]) {
    const r = await send(proxy.port, { host });
    t.is(r.status, 200, host);
  }
  t.is(calls - before, 3);
});

test.serial('another Host is refused before anything reaches the upstream (DNS rebinding)', async (t) => {
  const before = calls;
  for (const host of [`evil.example.com:${proxy.port}`, 'evil.example.com', `127.0.0.1:${proxy.port + 1}`, '127.0.0.1', `127.0.0.1.nip.io:${proxy.port}`, '']) {
    const r = await send(proxy.port, { host });
    t.is(r.status, 421, `Host "${host}"`);
    const body = JSON.parse(r.body) as { error: { type: string; message: string } };
    t.is(body.error.type, 'tokenboard_proxy_error');
    t.regex(body.error.message, /must be addressed to 127\.0\.0\.1:\d+/);
  }
  t.is(calls, before, 'no refused request was forwarded');
});

test.serial('a browser Origin is refused unless allowed; CORS preflights always are, without CORS headers', async (t) => {
  const before = calls;
  const page = await send(proxy.port, { headers: { origin: 'https://attacker.example' } });
  t.is(page.status, 403);
  t.regex(page.body, /TOKENBOARD_PROXY_ALLOW_ORIGINS/);
  t.is(page.headers['access-control-allow-origin'], undefined);
  const preflight = await send(proxy.port, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
  t.is(preflight.status, 403);
  t.is(preflight.headers['access-control-allow-origin'], undefined);
  t.is(calls, before);
  // Listed origins pass (case and a trailing slash do not matter).
  t.is((await send(proxy.port, { headers: { origin: 'http://localhost:5173' } })).status, 200);
  t.is((await send(proxy.port, { headers: { origin: 'https://TOOLS.example.com' } })).status, 200);
  t.is(calls - before, 2);
});

test.serial('the official OpenAI SDK (Node, no Origin) still goes through', async (t) => {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${proxy.port}/v1`, maxRetries: 0 });
  const r = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] });
  t.is(r.id, c.chatBody.id);
});

test('refusalOf as a pure function: the port is the one the request arrived on', (t) => {
  const none = new Set<string>();
  t.is(refusalOf('GET', { host: '127.0.0.1:4000' }, 4000, none), null);
  t.is(refusalOf('GET', { host: '[::1]:4000' }, 4000, none), null);
  t.is(refusalOf('GET', { host: 'localhost' }, 80, none), null, 'no port in Host means 80');
  t.is(refusalOf('GET', { host: 'localhost' }, 4000, none)?.status, 421);
  t.is(refusalOf('GET', {}, 4000, none)?.status, 421, 'no Host at all');
  t.is(refusalOf('GET', { host: '127.0.0.1:4000', origin: 'null' }, 4000, none)?.status, 403, 'a sandboxed page sends Origin: null');
  t.deepEqual([...allowedOrigins(' http://a.test/ ,,HTTP://B.test')], ['http://a.test', 'http://b.test']);
});
