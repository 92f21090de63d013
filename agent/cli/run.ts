// `run` (proxy + log watching + sending) and `proxy` (the proxy and sending alone). The
// proxy keeps this thread to itself; everything else runs in the bookkeeping thread.
import { existsSync } from 'node:fs';
import type { AgentConfig, LogRoots } from '../config.ts';
import { startProxy, type RunningProxy } from '../proxy/server.ts';
import { sqliteNotice, sqliteSkipped } from '../collectors/index.ts';
import { startBookkeeper } from '../bookkeeper.ts';
import { configOf, type Io } from './common.ts';

export const SCAN_MS = 10_000;

// The tools behind the log roots, as a person knows them: typed over every root, so a
// collector added later cannot be left without a name here.
const TOOL_NAMES: Record<keyof LogRoots, string> = {
  claude: 'Claude Code', codex: 'Codex', gemini: 'Gemini CLI', opencode: 'OpenCode',
  cline: 'Cline', rooCode: 'Roo Code', kiloCode: 'Kilo Code', copilotVscode: 'VS Code Copilot Chat',
  copilot: 'Copilot CLI', amp: 'Amp', pi: 'Pi', openclaw: 'OpenClaw', kimi: 'Kimi CLI', qwen: 'Qwen Code', codebuff: 'Codebuff',
  grok: 'Grok Build', antigravity: 'Antigravity', zcode: 'ZCode', goose: 'Goose', droid: 'Factory Droid', kiloCli: 'Kilo CLI', hermes: 'Hermes',
};

/** Every directory a root names (some roots group editors' dirs and a tool's own folders). */
function dirsOf(root: unknown): string[] {
  if (typeof root === 'string') return [root];
  if (Array.isArray(root)) return root.flatMap(dirsOf);
  if (root && typeof root === 'object') return Object.values(root).flatMap(dirsOf);
  return [];
}

/**
 * The one line `run` prints at start: which log directories it watches (only to this
 * terminal: the paths are the user's own and are never sent), what it does not find, and
 * where the counts go.
 */
export function startLine(cfg: AgentConfig, opts: { watch: boolean }, exists: (path: string) => boolean = existsSync): string {
  const parts: string[] = [];
  if (opts.watch) {
    const found: string[] = [];
    const missing: string[] = [];
    for (const [key, root] of Object.entries(cfg.logRoots) as [keyof LogRoots, unknown][]) {
      const name = TOOL_NAMES[key] ?? key;
      const here = [...new Set(dirsOf(root))].filter((d) => exists(d));
      if (here.length) found.push(`${name} (${here.join(', ')})`);
      else missing.push(name);
    }
    parts.push(found.length ? `watching the logs of ${found.join(', ')}` : 'watching for AI-tool logs (none found yet)');
    if (found.length && missing.length) parts.push(`not found: ${missing.join(', ')}`);
  }
  parts.push(cfg.login
    ? `sending token counts to ${cfg.login.server} as user ${cfg.login.user} every ${cfg.flushMs >= 1000 ? `${Math.round(cfg.flushMs / 100) / 10}s` : `${cfg.flushMs}ms`}`
    : 'sending nothing until you run `login` (events wait in the queue)');
  return parts.join('; ');
}

export interface Running {
  proxy: RunningProxy | null;
  stop(): Promise<void>;
}

export async function startAgent(io: Io, opts: { proxy: boolean; watch: boolean; scanMs?: number }): Promise<Running> {
  const cfg = configOf(io);
  const log = (line: string): void => io.err(`${new Date().toISOString()} ${line}`);
  if (!cfg.login) log(`not logged in (${cfg.loginProblems[0]}); events are queued until you run \`login\``);
  log(startLine(cfg, opts));
  if (opts.watch) {
    const notice = sqliteNotice(sqliteSkipped(cfg.logRoots));
    if (notice) log(`logs: ${notice}`);
  }
  const keeper = await startBookkeeper(cfg, { watch: opts.watch, scanMs: opts.scanMs ?? SCAN_MS }, log);
  let proxy: RunningProxy | null = null;
  if (opts.proxy) {
    try {
      proxy = await startProxy({ port: cfg.proxyPort, upstreams: cfg.upstreams, sink: keeper.sink, warn: log, allowOrigins: cfg.proxyAllowOrigins });
    } catch (err) {
      await keeper.stop();
      throw err;
    }
    log(`proxy listening on ${proxy.url} (ANTHROPIC_BASE_URL=${proxy.url}, OPENAI_BASE_URL=${proxy.url}/v1)`);
  }
  return {
    proxy,
    async stop() {
      await proxy?.close();
      await keeper.stop();
    },
  };
}

export async function run(io: Io, opts: { proxy: boolean; watch: boolean }): Promise<number> {
  const agent = await startAgent(io, opts);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  await agent.stop();
  return 0;
}
