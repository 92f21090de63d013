// withApp(): a real TokenBoard on a loopback port with a real SQLite file in a fresh temp
// data dir. Logs are captured (tests assert nothing private reaches them).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { startServer, type Running } from '../../src/server.ts';
import { createLogger } from '../../src/log.ts';
import { addUser, requireUser } from '../../src/users/users.ts';
import { createToken } from '../../src/users/tokens.ts';
import { userStats, type UserStats } from '../../src/usage/stats.ts';
import { CLI_ACTOR } from '../../src/admin/audit.ts';
import { signedHeaders, type WireEvent } from '../../agent/wire.ts';

export interface TestApp {
  url: string;
  dataDir: string;
  cfg: Config;
  running: Running;
  /** Every log line the server wrote. */
  logs: string[];
  createUser(login: string, role?: string): Promise<{ id: number; login: string }>;
  createToken(login: string, name?: string): Promise<{ user_id: number; token: string }>;
  stats(login: string): Promise<UserStats>;
  stop(): Promise<void>;
  /** Stops this server and starts a new one on the same data dir. */
  restart(): Promise<TestApp>;
}

export function tempDir(prefix = 'tb-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function withApp(overrides: Record<string, unknown> = {}, dataDir = tempDir()): Promise<TestApp> {
  const cfg = loadConfig({
    env: {},
    overrides: { 'server.host': '127.0.0.1', 'server.port': 0, 'server.data_dir': dataDir, ...overrides },
  });
  const logs: string[] = [];
  const running = await startServer(cfg, { log: createLogger((s) => { logs.push(s); }) });
  const { db, sealer } = running.services;
  const app: TestApp = {
    url: `http://127.0.0.1:${running.port}`,
    dataDir, cfg, running, logs,
    async createUser(login, role = 'member') {
      const u = await addUser(db, { login, role }, CLI_ACTOR);
      return { id: u.id, login: u.login };
    },
    async createToken(login, name) {
      const t = await createToken(db, sealer, await requireUser(db, login), name, CLI_ACTOR);
      return { user_id: t.user_id, token: t.token };
    },
    async stats(login) {
      return userStats(db, await requireUser(db, login));
    },
    stop: () => running.stop(),
    async restart() {
      await running.stop();
      return withApp(overrides, dataDir);
    },
  };
  return app;
}

export interface Agent {
  user_id: number;
  token: string;
}

/** Posts a body to /api/ingest signed as the agent would; returns status and JSON. */
export async function postIngest(url: string, agent: Agent, body: string | { events: unknown[] }, opts: { ts?: number; headers?: Record<string, string> } = {}): Promise<{ status: number; json: any }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = { ...signedHeaders(agent.user_id, agent.token, raw, opts.ts ?? Date.now()), ...opts.headers };
  const res = await fetch(`${url}/api/ingest`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = { raw: text }; }
  return { status: res.status, json };
}

let seq = 0;
/** A valid event; fields can be overridden. */
export function event(over: Partial<WireEvent> = {}): WireEvent {
  seq++;
  return {
    ts: Date.now() - 1000, provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false,
    input_tokens: 100, output_tokens: 50, cache_read_tokens: 0, cache_write_tokens: 0,
    id: `ev-${process.pid}-${seq}`, source: 'proxy',
    ...over,
  };
}
