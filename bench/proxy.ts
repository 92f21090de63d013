// `npm run bench -- proxy`: BENCH_BLOCKS blocks (5) of BENCH_REQUESTS rounds (2,000); each
// round sends one request straight to a loopback upstream (its own process), one through
// the agent's proxy (the bundled agent in its own process, as users run it, logged in to
// the real server built from this repo, so its sender posts the proxied requests' events
// every TOKENBOARD_FLUSH_MS as it does for a user) and one through a bare node:http pipe
// proxy (no routing, no usage reading: the floor any Node proxy pays), interleaved so all
// see the same machine. Figures, medians over the blocks: added latency p50 and p99 for a
// JSON answer, and how much later the first byte of a streamed answer arrives. Targets:
// p50 ≤ 0.5 ms, p99 ≤ 2 ms and ≤ 1.5× the bare pipe's added p99, first byte ≤ 1 ms
// later; and every proxied answer's event stored by the server.
//
// On a small VM the tail is mostly process scheduling: each proxied request adds two
// process wake-ups, and the first seconds of a run are noisier still. Hence a long
// unmeasured warm-up (below), and the bare proxy's figures beside ours: what ours adds
// beyond them is what our code costs.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accounts, buildAgentBundle, ensureBuilt, figure, freePort, median, percentile, scriptProcess, startAgentProcess, startServerProcess, statsOf, tempDataDir, type Account, type ServerProcess } from './_lib.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 2000);
const BLOCKS = Math.max(1, Number(process.env.BENCH_BLOCKS ?? 5));
// Unmeasured rounds first (each round: one JSON request per path, a stream every fourth).
// Counting slow answers per 500 rounds from a cold start showed all three paths, the
// direct one too, noisy for the first ~2,000 rounds (about six seconds of JIT and heap
// sizing in four processes) and steady after; the proxy is a daemon, steady is its state.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3000);

const CHAT = JSON.stringify({
  id: 'chatcmpl-bench-00000000', object: 'chat.completion', model: 'gpt-4.1-2025-04-14',
  choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(600) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1486, completion_tokens: 651, total_tokens: 2137, prompt_tokens_details: { cached_tokens: 1408 } },
});
const FIRST = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4.1', choices: [{ index: 0, delta: { content: 'hi' } }], usage: null })}\n\n`;
const LAST = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4.1', choices: [], usage: { prompt_tokens: 10, completion_tokens: 2 } })}\n\ndata: [DONE]\n\n`;
// The same endpoint streamed (the fake upstream streams whatever is not the plain path).
const STREAM_PATH = '/v1/chat/completions?stream=1';
const REQUEST = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'y'.repeat(800) }] });

// The fake provider runs in a process of its own, as a real upstream would: sharing the
// client's event loop would make every proxied request wait for the client's own work.
const UPSTREAM = `
const http = require('node:http');
const [CHAT, FIRST, LAST] = JSON.parse(process.argv[1]);
// Every answer has its own id, as a provider's do (the agent's event ids come from them).
let n = 0;
const id = () => String(++n).padStart(8, '0');
const server = http.createServer({ noDelay: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/v1/chat/completions') {
      const body = CHAT.replace('chatcmpl-bench-00000000', 'chatcmpl-bench-' + id());
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    // Streamed: the first event at once, the rest a moment later.
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const sid = 'chatcmpl-stream-' + id();
    res.write(FIRST.replace('"id":"c"', '"id":"' + sid + '"'));
    setTimeout(() => res.end(LAST.replace('"id":"c"', '"id":"' + sid + '"')), 2);
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

const FLUSH_MS = process.env.TOKENBOARD_FLUSH_MS ?? '3000';

/** The real server with one user; its agent token. */
async function startIngest(): Promise<{ server: ServerProcess; dataDir: string; login: Account; events(): Promise<number> }> {
  const dataDir = tempDataDir();
  const env = { TOKENBOARD_SERVER_DATA_DIR: dataDir };
  const [login] = await accounts(env, ['bench']);
  const server = await startServerProcess(dataDir, await freePort());
  const events = async () => (await statsOf(env, ['bench']))[0].events;
  return { server, dataDir, login, events };
}

type Samples = { json: number[]; first: number[] };

async function startAgentProxy(upPort: number, ingest: { url: string; user: number; token: string }): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-proxy-'));
  // BENCH_AGENT_BUNDLE: another build of the agent (an older commit's, to compare in the same conditions).
  const bundle = process.env.BENCH_AGENT_BUNDLE ?? buildAgentBundle(join(dir, 'tokenboard-agent.mjs'));
  const port = await freePort();
  const agent = await startAgentProcess(bundle, 'proxy', {
    HOME: dir, TOKENBOARD_STATE_DIR: join(dir, 'state'), TOKENBOARD_PROXY_PORT: String(port), TOKENBOARD_UPSTREAM_OPENAI: `http://127.0.0.1:${upPort}`, TOKENBOARD_FLUSH_MS: FLUSH_MS,
    TOKENBOARD_SERVER: ingest.url, TOKENBOARD_USER: String(ingest.user), TOKENBOARD_TOKEN: ingest.token,
  });
  return { port, stop: async () => { await agent.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

export default async function proxyBench(): Promise<void> {
  ensureBuilt();
  const ingest = await startIngest();
  const up = await scriptProcess(UPSTREAM, JSON.stringify([CHAT, FIRST, LAST]), 'fake upstream');
  const bare = await scriptProcess(BARE_PROXY, String(up.port), 'bare proxy');
  const proxy = await startAgentProxy(up.port, { url: ingest.server.url, user: ingest.login.user_id, token: ingest.login.token });
  const paths = { direct: up.port, bare: bare.port, proxy: proxy.port };
  const names = Object.keys(paths) as Array<keyof typeof paths>;
  try {
    for (let i = 0; i < WARMUP; i++) {
      for (const n of names) await request(paths[n], i % 4 === 0 ? STREAM_PATH : '/v1/chat/completions');
    }
    // Interleaved so every path shares whatever else the machine is doing; in BLOCKS blocks
    // of N rounds whose figures are taken apart, so one noisy stretch moves one block only.
    const blocks: Record<keyof typeof paths, Samples>[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      const runs: Record<keyof typeof paths, Samples> = { direct: { json: [], first: [] }, bare: { json: [], first: [] }, proxy: { json: [], first: [] } };
      for (let i = 0; i < N; i++) {
        for (const n of names) runs[n].json.push((await request(paths[n], '/v1/chat/completions')).total);
        if (i % 4 === 0) {
          for (const n of names) runs[n].first.push((await request(paths[n], STREAM_PATH)).first);
        }
      }
      for (const n of names) for (const a of [runs[n].json, runs[n].first]) a.sort((x, y) => x - y);
      blocks.push(runs);
    }
    const r = (v: number) => Math.round(v * 1000) / 1000;
    const med = (of: (runs: Record<keyof typeof paths, Samples>) => number) => median(blocks.map(of));
    const emit = (name: string, of: (s: Samples) => number, target: number) => {
      const added = (path: keyof typeof paths) => med((runs) => of(runs[path]) - of(runs.direct));
      figure('proxy', name, {
        value: r(added('proxy')), unit: 'ms', target, direct_ms: r(med((runs) => of(runs.direct))), proxy_ms: r(med((runs) => of(runs.proxy))), baseline: r(med((runs) => of(runs.direct))),
        ratio: r(med((runs) => of(runs.proxy) / of(runs.direct))), bare_node_proxy_added_ms: r(added('bare')), over_bare_node_proxy_ms: r(med((runs) => of(runs.proxy) - of(runs.bare))),
        per_block_ms: blocks.map((runs) => r(of(runs.proxy) - of(runs.direct))), requests_per_block: N, blocks: BLOCKS, warmup_rounds: WARMUP,
      });
    };
    const p50 = (s: Samples) => percentile(s.json, 50);
    const p99 = (s: Samples) => percentile(s.json, 99);
    emit('added_latency_p50_ms', p50, 0.5);
    emit('added_latency_p99_ms', p99, 2);
    emit('first_byte_added_p50_ms', (s) => percentile(s.first, 50), 1);
    const ratios = blocks.map((runs) => (p99(runs.proxy) - p99(runs.direct)) / (p99(runs.bare) - p99(runs.direct)));
    figure('proxy', 'added_p99_vs_bare_pipe', {
      value: r(median(ratios)), target: 1.5, per_block: ratios.map(r), proxy_added_ms: r(med((runs) => p99(runs.proxy) - p99(runs.direct))),
      bare_node_proxy_added_ms: r(med((runs) => p99(runs.bare) - p99(runs.direct))), flush_ms: Number(FLUSH_MS), note: 'median over blocks of (proxy p99 - direct p99) / (bare p99 - direct p99)',
    });
    // Every JSON answer and every stream made one event; the sender delivers them all.
    const proxied = WARMUP + BLOCKS * (N + Math.ceil(N / 4));
    let stored = 0;
    for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((ok) => setTimeout(ok, 500))) {
      if ((stored = await ingest.events()) >= proxied) break;
    }
    figure('proxy', 'events_stored', { value: stored, expected: proxied, flush_ms: Number(FLUSH_MS) });
  } finally {
    await proxy.stop();
    bare.close();
    up.close();
    agent.destroy();
    await ingest.server.stop();
    rmSync(ingest.dataDir, { recursive: true, force: true });
  }
}
