// `run` (proxy + log watching + sending) and `proxy` (the proxy and sending alone). The
// proxy keeps this thread to itself; everything else runs in the bookkeeping thread.
import { startProxy, type RunningProxy } from '../proxy/server.ts';
import { startBookkeeper } from '../bookkeeper.ts';
import { configOf, type Io } from './common.ts';

export const SCAN_MS = 10_000;

export interface Running {
  proxy: RunningProxy | null;
  stop(): Promise<void>;
}

export async function startAgent(io: Io, opts: { proxy: boolean; watch: boolean; scanMs?: number }): Promise<Running> {
  const cfg = configOf(io);
  const log = (line: string): void => io.err(`${new Date().toISOString()} ${line}`);
  if (!cfg.login) log(`not logged in (${cfg.loginProblems[0]}); events are queued until you run \`login\``);
  const keeper = await startBookkeeper(cfg, { watch: opts.watch, scanMs: opts.scanMs ?? SCAN_MS }, log);
  let proxy: RunningProxy | null = null;
  if (opts.proxy) {
    try {
      proxy = await startProxy({ port: cfg.proxyPort, upstreams: cfg.upstreams, sink: keeper.sink, warn: log });
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
