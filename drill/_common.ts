// What the drills share: simulated agents that sign and post batches as the agent does,
// real agents (the bundle) behind a fake provider, and the check that the server holds
// every event sent exactly once, in each of the three places it keeps them.
import http from 'node:http';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireEvent } from '../agent/wire.ts';
import { buildAgentBundle, freePort, percentile, postSigned, rng, scriptProcess, startAgentProcess, withStore, type Account, type AgentProcess } from '../bench/_lib.ts';

/** DRILL_SECONDS shortens (or lengthens) a drill's traffic; the default is the drill's own. */
export function drillSeconds(fallback: number): number {
  const v = Number(process.env.DRILL_SECONDS ?? fallback);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** A progress line on stderr (stdout carries only the figures). */
export function progress(line: string): void {
  console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);
}

/**
 * A server's log lines: the error lines kept (for the figures), every line appended to
 * DRILL_SERVER_LOG when set (to see what a server did after a drill went wrong).
 */
export function serverLog(): { errors: string[]; onLine(line: string): void } {
  const errors: string[] = [];
  const file = process.env.DRILL_SERVER_LOG;
  return {
    errors,
    onLine(line) {
      if (file) appendFileSync(file, `${line}\n`);
      if (/ error /.test(line)) errors.push(line.slice(0, 300));
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

export interface Totals { events: number; input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number }

export const zero = (): Totals => ({ events: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 });

function add(t: Totals, events: WireEvent[]): void {
  for (const e of events) {
    t.events++;
    t.input_tokens += e.input_tokens;
    t.output_tokens += e.output_tokens;
    t.cache_read_tokens += e.cache_read_tokens;
    t.cache_write_tokens += e.cache_write_tokens;
  }
}

const MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-5', 'gemini-2.5-pro'];

/** Milliseconds of each answer, and how many of each status. */
export class Latencies {
  readonly ms: number[] = [];
  readonly statuses: Record<string, number> = {};
  /** Requests sent and not answered yet. */
  inFlight = 0;
  /** Events the server answered as duplicates (a resend of a batch it had stored before the answer was lost). */
  duplicates = 0;
  /** The first answer body of each status other than 200. */
  readonly samples: Record<string, string> = {};
  note(status: number | string, ms?: number, body?: string): void {
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (ms !== undefined) this.ms.push(ms);
    if (status !== 200 && body !== undefined) this.samples[status] ??= body.slice(0, 300);
  }
  summary(): { p50: number; p99: number; n: number } {
    const s = [...this.ms].sort((a, b) => a - b);
    const r = (v: number) => Math.round(v * 10) / 10;
    return { p50: r(percentile(s, 50)), p99: r(percentile(s, 99)), n: s.length };
  }
}

/**
 * One simulated agent: its own person and token, batches of 1..maxEvents events with ids
 * of their own (as the collectors derive them), signed as agent/wire.ts signs. `sent` is
 * every batch it made that the server took (200); `pending` a batch still to deliver.
 */
export class SimAgent {
  readonly sent = zero();
  /** Event ids of each batch made, in order (for the whole-or-nothing check). */
  readonly batches: string[][] = [];
  pending: WireEvent[] | null = null;
  /** The status of the last answer (0: no answer). */
  lastStatus = 0;
  private n = 0;
  private readonly random: () => number;

  constructor(readonly acct: Account, seed: number, readonly maxEvents = 20) {
    this.random = rng(seed);
  }

  /** A new batch of events dated within the last hour. */
  make(now = Date.now()): WireEvent[] {
    const r = this.random;
    const count = 1 + Math.floor(r() * this.maxEvents);
    const b = this.n++;
    const events = Array.from({ length: count }, (_, i): WireEvent => ({
      ts: now - Math.floor(r() * 3_600_000), provider: 'anthropic', model: MODELS[Math.floor(r() * MODELS.length)], is_local: false,
      input_tokens: Math.floor(r() * 5000), output_tokens: Math.floor(r() * 2000), cache_read_tokens: Math.floor(r() * 20_000), cache_write_tokens: Math.floor(r() * 800),
      id: `${this.acct.login}-b${b}-e${i}`, source: r() < 0.5 ? 'claude-code' : 'proxy', session: `${this.acct.login}-s${Math.floor(b / 5)}`,
    }));
    this.batches.push(events.map((e) => e.id!));
    return events;
  }

  /** Posts a batch once; counts it as sent when the server took it. */
  async post(url: string, events: WireEvent[], agent: http.Agent, lat: Latencies): Promise<{ status: number; text: string }> {
    const t0 = performance.now();
    let r: { status: number; text: string };
    lat.inFlight++;
    try {
      r = await postSigned(url, this.acct, JSON.stringify({ events }), agent);
    } catch (err) {
      lat.note((err as NodeJS.ErrnoException).code ?? 'network');
      this.lastStatus = 0;
      return { status: 0, text: String(err) };
    } finally {
      lat.inFlight--;
    }
    lat.note(r.status, performance.now() - t0, r.text);
    this.lastStatus = r.status;
    if (r.status === 200) lat.duplicates += JSON.parse(r.text).duplicates;
    // 409: this exact signed request was stored before (a resend of the same bytes).
    if (r.status === 200 || r.status === 409) add(this.sent, events);
    return r;
  }

  /**
   * As the agent's outbox does: a batch stays until the server took it; a network error
   * or a 5xx means send it again (signed afresh), after `retryMs`.
   */
  async deliver(url: () => string, agent: http.Agent, lat: () => Latencies, retryMs = 200): Promise<void> {
    this.pending ??= this.make();
    for (;;) {
      const r = await this.post(url(), this.pending, agent, lat());
      if (r.status === 200 || r.status === 409) break;
      if (r.status !== 0 && r.status < 500) throw new Error(`${this.acct.login}: the server refused a valid batch: ${r.status} ${r.text.slice(0, 300)}`);
      await sleep(retryMs);
    }
    this.pending = null;
  }
}

export type Stored = Map<number, { raw: Totals; rollups: Totals; read_model: Totals }>;

/** Per person: the raw events, the daily rollups (what `stats` sums) and the read model (what the pages rank). */
export function storedTotals(env: Record<string, string>): Promise<Stored> {
  return withStore(env, async (s) => {
    const sums = 'SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens';
    type Row = Totals & { user_id: number };
    const views = {
      raw: await s.db.sql.all<Row>(`SELECT user_id, COUNT(*) AS events, ${sums} FROM usage_events GROUP BY user_id`),
      rollups: await s.db.sql.all<Row>(`SELECT user_id, SUM(events) AS events, ${sums} FROM daily_rollups GROUP BY user_id`),
      read_model: await s.db.sql.all<Row>(`SELECT user_id, events, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM user_totals`),
    };
    const out: Stored = new Map();
    for (const [view, rows] of Object.entries(views) as [keyof typeof views, Row[]][]) {
      for (const r of rows) {
        const e = out.get(Number(r.user_id)) ?? { raw: zero(), rollups: zero(), read_model: zero() };
        e[view] = { events: Number(r.events), input_tokens: Number(r.input_tokens), output_tokens: Number(r.output_tokens), cache_read_tokens: Number(r.cache_read_tokens), cache_write_tokens: Number(r.cache_write_tokens) };
        out.set(Number(r.user_id), e);
      }
    }
    return out;
  });
}

export interface Comparison {
  expected_events: number;
  stored_events: number;
  /** Events sent and taken that no view holds (the worst view). */
  lost: number;
  /** Events held more often than sent (the worst view). */
  doubled: number;
  /** People whose token sums differ from what was sent, by view. */
  token_mismatches: string[];
}

/** What was sent (per user id) against what the server stores, in every view. */
export function compare(expected: Map<number, Totals>, stored: Stored): Comparison {
  let lost = 0;
  let doubled = 0;
  let expectedEvents = 0;
  let storedEvents = 0;
  const mismatches: string[] = [];
  for (const [userId, want] of expected) {
    expectedEvents += want.events;
    const got = stored.get(userId) ?? { raw: zero(), rollups: zero(), read_model: zero() };
    storedEvents += got.raw.events;
    let worstLost = 0;
    let worstDoubled = 0;
    for (const [view, t] of Object.entries(got) as [string, Totals][]) {
      worstLost = Math.max(worstLost, want.events - t.events);
      worstDoubled = Math.max(worstDoubled, t.events - want.events);
      for (const k of ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'] as const) {
        if (t[k] !== want[k]) mismatches.push(`user ${userId} ${view}.${k}: sent ${want[k]}, stored ${t[k]}`);
      }
    }
    lost += worstLost;
    doubled += worstDoubled;
  }
  for (const userId of stored.keys()) if (!expected.has(userId)) mismatches.push(`user ${userId}: stored events nobody in the drill sent`);
  return { expected_events: expectedEvents, stored_events: storedEvents, lost, doubled, token_mismatches: mismatches.slice(0, 10) };
}

// ---- real agents behind a fake provider

/** What the fake provider answers every request with (per event, so totals are n × these). */
export const PROXIED_USAGE = { input_tokens: 12, output_tokens: 34, cache_read_input_tokens: 560, cache_creation_input_tokens: 78 };

// A fake Anthropic in a process of its own (the provider lies outside the product): every
// answer a message id of its own, the same usage.
const UPSTREAM = `
const http = require('node:http');
const usage = JSON.parse(process.argv[1]);
const run = Math.random().toString(36).slice(2, 10);
let n = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = JSON.stringify({ id: 'msg_drill_' + run + '_' + (++n), type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

export interface RealAgent {
  acct: Account;
  proc: AgentProcess;
  proxyPort: number;
  env: Record<string, string>;
  /** Proxied requests the provider answered: each is one event the server must end up with. */
  proxied: number;
}

export interface RealAgents {
  agents: RealAgent[];
  bundle: string;
  /** Sends one request through every agent's proxy. */
  round(httpAgent: http.Agent): Promise<void>;
  /** The agent's own `status --json` (queue, last error, refused events). */
  status(a: RealAgent): Promise<{ queue: number; rejected: number; last_error: { status: number | null; error: string } | null; delivered: number }>;
  /** What every agent's proxied requests add up to, per user id. */
  expected(): Map<number, Totals>;
  stop(): Promise<void>;
}

/**
 * `agent run` (proxy, log watching, sending) for each account, each in a HOME and state dir
 * of its own, logged in through the environment, pointed at a fake provider.
 */
export async function startRealAgents(accts: Account[], serverUrl: string, flushMs: number): Promise<RealAgents> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-drill-agents-'));
  const bundle = buildAgentBundle(join(dir, 'tokenboard-agent.mjs'));
  const upstream = await scriptProcess(UPSTREAM, JSON.stringify(PROXIED_USAGE), 'fake provider');
  const agents: RealAgent[] = [];
  for (const acct of accts) {
    const home = join(dir, acct.login);
    mkdirSync(home);
    const proxyPort = await freePort();
    const env = {
      HOME: home, TOKENBOARD_STATE_DIR: join(home, 'state'), TOKENBOARD_PROXY_PORT: String(proxyPort), TOKENBOARD_FLUSH_MS: String(flushMs),
      TOKENBOARD_UPSTREAM_ANTHROPIC: `http://127.0.0.1:${upstream.port}`,
      TOKENBOARD_SERVER: serverUrl, TOKENBOARD_USER: String(acct.user_id), TOKENBOARD_TOKEN: acct.token,
    };
    agents.push({ acct, proc: await startAgentProcess(bundle, 'run', env), proxyPort, env, proxied: 0 });
  }
  const call = (a: RealAgent, httpAgent: http.Agent) => new Promise<void>((resolve, reject) => {
    const body = '{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}';
    const req = http.request({ host: '127.0.0.1', port: a.proxyPort, path: '/v1/messages', method: 'POST', agent: httpAgent,
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-drill', 'anthropic-version': '2023-06-01', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) a.proxied++;
        else reject(new Error(`the proxy of ${a.acct.login} answered ${res.statusCode}`));
        resolve();
      });
    });
    req.on('error', reject);
    req.end(body);
  });
  return {
    agents, bundle,
    round: async (httpAgent) => { await Promise.all(agents.map((a) => call(a, httpAgent))); },
    async status(a) {
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, [bundle, 'status', '--json'], { env: { PATH: process.env.PATH ?? '', ...a.env }, stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b; });
      await new Promise((ok) => child.once('close', ok));
      return JSON.parse(out);
    },
    expected() {
      return new Map(agents.map((a) => [a.acct.user_id, {
        events: a.proxied, input_tokens: a.proxied * PROXIED_USAGE.input_tokens, output_tokens: a.proxied * PROXIED_USAGE.output_tokens,
        cache_read_tokens: a.proxied * PROXIED_USAGE.cache_read_input_tokens, cache_write_tokens: a.proxied * PROXIED_USAGE.cache_creation_input_tokens,
      }]));
    },
    async stop() {
      await Promise.all(agents.map((a) => a.proc.stop()));
      upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until every real agent's queue is empty (the server has taken all), or the deadline. */
export async function drainedAgents(real: RealAgents, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const queues = await Promise.all(real.agents.map((a) => real.status(a)));
    if (queues.every((q) => q.queue === 0)) return true;
    await sleep(1000);
  }
  return false;
}
