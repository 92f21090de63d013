// `npm run bench -- proxy`: 2,000 requests straight to a loopback upstream (its own
// process) and 2,000 through the agent's proxy (the bundled agent in its own process, as users run it),
// interleaved in the same run so both see the same machine. Figures: added latency p50
// and p99 for a JSON answer, and how much later the first byte of a streamed answer
// arrives. Targets: p50 ≤ 0.5 ms, p99 ≤ 2 ms, first byte ≤ 1 ms later.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { AddressInfo } from 'node:net';
import { figure, freePort, percentile } from './_lib.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 2000);
const WARMUP = 200;

const CHAT = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', model: 'gpt-4.1-2025-04-14',
  choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(600) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1486, completion_tokens: 651, total_tokens: 2137, prompt_tokens_details: { cached_tokens: 1408 } },
});
const FIRST = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4.1', choices: [{ index: 0, delta: { content: 'hi' } }], usage: null })}\n\n`;
const LAST = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4.1', choices: [], usage: { prompt_tokens: 10, completion_tokens: 2 } })}\n\ndata: [DONE]\n\n`;
const REQUEST = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'y'.repeat(800) }] });

// The fake provider runs in a process of its own, as a real upstream would: sharing the
// client's event loop would make every proxied request wait for the client's own work.
const UPSTREAM = `
const http = require('node:http');
const [CHAT, FIRST, LAST] = JSON.parse(process.argv[1]);
const server = http.createServer({ noDelay: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/v1/chat/completions') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(CHAT) });
      res.end(CHAT);
      return;
    }
    // Streamed: the first event at once, the rest a moment later.
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(FIRST);
    setTimeout(() => res.end(LAST), 2);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

function upstream(): Promise<{ port: number; close(): void }> {
  const child = spawn(process.execPath, ['-e', UPSTREAM, JSON.stringify([CHAT, FIRST, LAST])], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    child.stdout!.once('data', (b: Buffer) => ok({ port: Number(String(b).trim()), close: () => { child.kill('SIGTERM'); } }));
    child.once('exit', (code) => fail(new Error(`fake upstream exited (${code})`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Milliseconds to the whole body, and to the first body byte. */
function request(port: number, path: string): Promise<{ total: number; first: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let first = -1;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', 'content-length': Buffer.byteLength(REQUEST) } }, (res) => {
      res.on('data', () => {
        if (first < 0) first = Number(process.hrtime.bigint() - start) / 1e6;
      });
      res.on('end', () => resolve({ total: Number(process.hrtime.bigint() - start) / 1e6, first }));
    });
    req.setNoDelay(true);
    req.on('error', reject);
    req.end(REQUEST);
  });
}

async function startAgentProxy(upPort: number): Promise<{ port: number; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-proxy-'));
  const bundle = join(dir, 'tokenboard-agent.mjs');
  await build({ entryPoints: [new URL('../agent/main.ts', import.meta.url).pathname], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
  const port = await freePort();
  const up = `http://127.0.0.1:${upPort}`;
  const child = spawn(process.execPath, [bundle, 'proxy'], {
    env: { PATH: process.env.PATH, HOME: dir, TOKENBOARD_STATE_DIR: join(dir, 'state'), TOKENBOARD_PROXY_PORT: String(port), TOKENBOARD_UPSTREAM_OPENAI: up, TOKENBOARD_FLUSH_MS: '3000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr!.on('data', (b: Buffer) => {
      log += b;
      if (log.includes('proxy listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`proxy exited (${code}): ${log}`)));
  });
  return { port, stop: () => { child.kill('SIGTERM'); child.once('exit', () => rmSync(dir, { recursive: true, force: true })); } };
}

export default async function proxyBench(): Promise<void> {
  const up = await upstream();
  const proxy = await startAgentProxy(up.port);
  try {
    const direct = { json: [] as number[], first: [] as number[] };
    const via = { json: [] as number[], first: [] as number[] };
    for (let i = 0; i < WARMUP; i++) {
      await request(up.port, '/v1/chat/completions');
      await request(proxy.port, '/v1/chat/completions');
    }
    // Interleaved so both paths share whatever else the machine is doing.
    for (let i = 0; i < N; i++) {
      direct.json.push((await request(up.port, '/v1/chat/completions')).total);
      via.json.push((await request(proxy.port, '/v1/chat/completions')).total);
      if (i % 4 === 0) {
        direct.first.push((await request(up.port, '/v1/stream')).first);
        via.first.push((await request(proxy.port, '/v1/stream')).first);
      }
    }
    for (const a of [direct.json, direct.first, via.json, via.first]) a.sort((x, y) => x - y);
    const r = (v: number) => Math.round(v * 1000) / 1000;
    const emit = (name: string, viaV: number, directV: number, target: number) =>
      figure('proxy', name, { value: r(viaV - directV), unit: 'ms', target, direct_ms: r(directV), proxy_ms: r(viaV), baseline: r(directV), ratio: r(viaV / directV), requests: N });
    emit('added_latency_p50_ms', percentile(via.json, 50), percentile(direct.json, 50), 0.5);
    emit('added_latency_p99_ms', percentile(via.json, 99), percentile(direct.json, 99), 2);
    emit('first_byte_added_p50_ms', percentile(via.first, 50), percentile(direct.first, 50), 1);
  } finally {
    proxy.stop();
    up.close();
    agent.destroy();
  }
}
