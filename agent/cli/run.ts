// `run` (proxy + log watching + sending) and `proxy` (the proxy and sending alone).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig, LogRoots } from '../config.ts';
import { startProxy, type RunningProxy } from '../proxy/server.ts';
import { scanLogs, sqliteNotice, sqliteSkipped } from '../collectors/index.ts';
import { loadSalt } from '../collectors/context.ts';
import { Outbox } from '../outbox.ts';
import { Flusher, tryLock } from '../flusher.ts';
import { configOf, fmtCounts, type Io } from './common.ts';

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
  const outbox = new Outbox(cfg.stateDir);
  const flusher = new Flusher(outbox, cfg.stateDir, cfg.login);
  flusher.start(cfg.flushMs);
  let proxy: RunningProxy | null = null;
  if (opts.proxy) {
    proxy = await startProxy({ port: cfg.proxyPort, upstreams: cfg.upstreams, sink: (events) => outbox.append(events), warn: log });
    log(`proxy listening on ${proxy.url} (ANTHROPIC_BASE_URL=${proxy.url}, OPENAI_BASE_URL=${proxy.url}/v1)`);
  }
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  if (opts.watch) {
    const salt = loadSalt(cfg.stateDir);
    const notice = sqliteNotice(sqliteSkipped(cfg.logRoots));
    if (notice) log(`logs: ${notice}`);
    const scanOnce = (): void => {
      // One scanner at a time across processes (a `collect` may be running).
      const unlock = tryLock(join(cfg.stateDir, 'scan.lock'));
      if (!unlock) return;
      try {
        const scan = scanLogs({ stateDir: cfg.stateDir, roots: cfg.logRoots, salt });
        outbox.append(scan.events);
        outbox.seal();
        scan.commit();
        if (scan.events.length) log(`logs: ${scan.events.length} new events (${fmtCounts(scan.bySource)})`);
      } catch (err) {
        log(`logs: scan failed: ${(err as Error).message}`);
      } finally {
        unlock();
      }
    };
    const tick = (): void => {
      scanOnce();
      if (!stopped) timer = setTimeout(tick, opts.scanMs ?? SCAN_MS);
    };
    tick();
  }
  return {
    proxy,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await proxy?.close();
      await flusher.stop();
      outbox.close();
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
