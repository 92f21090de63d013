// withApp(): a real TokenBoard on a loopback port with a real SQLite file in a fresh temp
// data dir. Logs are captured (tests assert nothing private reaches them).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { startServer, type Running } from '../../src/server.ts';
import { createLogger } from '../../src/log.ts';
import { addUser, findUser, requireUser } from '../../src/users/users.ts';
import { createToken } from '../../src/users/tokens.ts';
import { userStats, type UserStats } from '../../src/usage/stats.ts';
import { CLI_ACTOR } from '../../src/admin/audit.ts';
import { signedHeaders, type WireEvent } from '../../agent/wire.ts';
import { createLoginLink } from '../../src/auth/login-links.ts';
import { Browser } from './browser.ts';
import { engineOverrides } from './engine.ts';

export { Browser } from './browser.ts';

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
  /** A one-time sign-in link for an existing user (what `tokenboard login-link` prints). */
  loginLink(login: string): Promise<string>;
  /**
   * A Browser signed in as `login` through a one-time link; the user is created with `role`
   * first if they do not exist. Use b.get / b.post / b.htmx; b.cookie and b.csrf for raw fetch.
   */
  signIn(login: string, role?: string): Promise<Browser>;
  /** A Browser with no session. */
  browser(): Browser;
  stop(): Promise<void>;
  /** Stops this server and starts a new one on the same data dir. */
  restart(): Promise<TestApp>;
}

export function tempDir(prefix = 'tb-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface AppOptions {
  /** Let the first start in local mode create `admin` and log its link (off by default in tests). */
  firstStartAdmin?: boolean;
}

export async function withApp(overrides: Record<string, unknown> = {}, dataDir = tempDir(), opts: AppOptions = {}): Promise<TestApp> {
  // On PostgreSQL a new database, unless the caller (a restart) names one.
  if (!('database.url' in overrides)) overrides = { ...(await engineOverrides(dataDir)), ...overrides };
  const cfg = loadConfig({
    env: {},
    overrides: { 'server.host': '127.0.0.1', 'server.port': 0, 'server.data_dir': dataDir, ...overrides },
  });
  const logs: string[] = [];
  const running = await startServer(cfg, { log: createLogger((s) => { logs.push(s); }), firstStartAdmin: opts.firstStartAdmin ?? false });
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
    async loginLink(login) {
      return (await createLoginLink(db, await requireUser(db, login), app.url, CLI_ACTOR)).url;
    },
    async signIn(login, role = 'member') {
      if (!(await findUser(db, login))) await addUser(db, { login, role }, CLI_ACTOR);
      const b = new Browser(app.url);
      const link = new URL(await app.loginLink(login));
      const shown = await b.get(link.pathname + link.search);
      if (shown.status !== 200) throw new Error(`signIn(${login}): the link page answered ${shown.status}`);
      const done = await b.post('/login/link', { code: link.searchParams.get('code')! });
      if (done.status !== 303) throw new Error(`signIn(${login}): using the link answered ${done.status}`);
      // As a browser does: follow the redirect (the new session's page brings its CSRF token).
      await b.get(done.location!);
      return b;
    },
    browser: () => new Browser(app.url),
    stop: () => running.stop(),
    async restart() {
      await running.stop();
      return withApp(overrides, dataDir, opts);
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
