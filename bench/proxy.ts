// `npm run bench -- proxy`: 2,000 requests straight to a loopback upstream (its own
// process), 2,000 through the agent's proxy (the bundled agent in its own process, as users
// run it) and, as the floor any Node proxy pays, 2,000 through a bare node:http pipe proxy
// (no routing, no usage reading), interleaved in the same run so all see the same machine.
// Figures: added latency p50 and p99 for a JSON answer, and how much later the first byte
// of a streamed answer arrives. Targets: p50 ≤ 0.5 ms, p99 ≤ 2 ms, first byte ≤ 1 ms later.
//
// On a small VM the tail is mostly process scheduling: each proxied request adds two
// process wake-ups, and the first seconds of a run are noisier still. Hence a long
// unmeasured warm-up (below), and the bare proxy's figures beside ours: what ours adds
// beyond them is what our code costs.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, stop as stopEsbuild } from 'esbuild';
import type { AddressInfo } from 'node:net';
import { figure, freePort, percentile } from './_lib.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 2000);
// Unmeasured rounds first (each round: one JSON request per path, a stream every fourth).
// Counting slow answers per 500 rounds from a cold start showed all three paths, the
// direct one too, noisy for the first ~2,000 rounds (about six seconds of JIT and heap
// sizing in four processes) and steady after; the proxy is a daemon, steady is its state.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3000);

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

// The floor: what any Node proxy costs (two more hops and a parse each way), nothing else.
const BARE_PROXY = `
const http = require('node:http');
const upPort = Number(process.argv[1]);
const agent = new http.Agent({ keepAlive: true });
const server = http.createServer({ noDelay: true }, (req, res) => {
  const up = http.request({ host: '127.0.0.1', port: upPort, path: req.url, method: req.method, headers: req.headers, agent }, (upRes) => {
    res.writeHead(upRes.statusCode, upRes.headers);
    upRes.pipe(res);
  });
  up.on('socket', (s) => s.setNoDelay(true));
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

/** Runs a script in a node process of its own; resolves to the port it prints. */
function child(script: string, arg: string, what: string): Promise<{ port: number; close(): void }> {
  const proc = spawn(process.execPath, ['-e', script, arg], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    proc.stdout!.once('data', (b: Buffer) => ok({ port: Number(String(b).trim()), close: () => { proc.kill('SIGTERM'); } }));
    proc.once('exit', (code) => fail(new Error(`${what} exited (${code})`)));
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
  await stopEsbuild(); // its service process would otherwise stay up, waking now and then
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
  const up = await child(UPSTREAM, JSON.stringify([CHAT, FIRST, LAST]), 'fake upstream');
  const bare = await child(BARE_PROXY, String(up.port), 'bare proxy');
  const proxy = await startAgentProxy(up.port);
  const paths = { direct: up.port, bare: bare.port, proxy: proxy.port };
  type Samples = { json: number[]; first: number[] };
  const runs: Record<keyof typeof paths, Samples> = { direct: { json: [], first: [] }, bare: { json: [], first: [] }, proxy: { json: [], first: [] } };
  const names = Object.keys(paths) as Array<keyof typeof paths>;
  try {
    for (let i = 0; i < WARMUP; i++) {
      for (const n of names) await request(paths[n], i % 4 === 0 ? '/v1/stream' : '/v1/chat/completions');
    }
    // Interleaved so every path shares whatever else the machine is doing.
    for (let i = 0; i < N; i++) {
      for (const n of names) runs[n].json.push((await request(paths[n], '/v1/chat/completions')).total);
      if (i % 4 === 0) {
        for (const n of names) runs[n].first.push((await request(paths[n], '/v1/stream')).first);
      }
    }
    for (const n of names) for (const a of [runs[n].json, runs[n].first]) a.sort((x, y) => x - y);
    const r = (v: number) => Math.round(v * 1000) / 1000;
    const emit = (name: string, of: (s: Samples) => number, target: number) => {
      const direct = of(runs.direct);
      const via = of(runs.proxy);
      const floor = of(runs.bare);
      figure('proxy', name, {
        value: r(via - direct), unit: 'ms', target, direct_ms: r(direct), proxy_ms: r(via), baseline: r(direct), ratio: r(via / direct),
        bare_node_proxy_added_ms: r(floor - direct), over_bare_node_proxy_ms: r(via - floor), requests: N, warmup_rounds: WARMUP,
      });
    };
    emit('added_latency_p50_ms', (s) => percentile(s.json, 50), 0.5);
    emit('added_latency_p99_ms', (s) => percentile(s.json, 99), 2);
    emit('first_byte_added_p50_ms', (s) => percentile(s.first, 50), 1);
  } finally {
    proxy.stop();
    bare.close();
    up.close();
    agent.destroy();
  }
}
