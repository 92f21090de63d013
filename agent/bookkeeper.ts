// The agent's bookkeeping in a worker thread of its own, so that the proxy's thread does
// nothing but proxy: queue writes, batch building, signing, sending and log scans (a
// first scan of a large history takes seconds) all happen here. The proxy hands each
// response's event over with one postMessage.
//
// The worker runs this same file: in the bundle that is the bundle itself (main.ts
// starts the bookkeeping when it finds itself in a worker with this role), from source it
// is this module. Should the worker die, the events are queued and sent on the calling
// thread as before, and a log line says so.
import type { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { AgentConfig } from './config.ts';
import type { WireEvent } from './wire.ts';
import { Outbox } from './outbox.ts';
import { Flusher, releaseOwnLock, tryLock } from './flusher.ts';
import { scanLogs } from './collectors/index.ts';
import { loadSalt } from './collectors/context.ts';
import { fmtCounts } from './cli/common.ts';
import { workerThreadsModule } from './lazy.ts';

export const BOOKKEEPER_ROLE = 'tokenboard-bookkeeper';
/** The bookkeeping thread's process.argv[2] (main.ts looks for it before loading anything). */
export const BOOKKEEPER_ARG = '--tokenboard-bookkeeping-thread';

export interface BookkeeperOptions {
  /** Scan the local logs every `scanMs` (`run`), or only queue and send (`proxy`). */
  watch: boolean;
  scanMs: number;
}

type ToWorker = { t: 'events'; events: WireEvent[] } | { t: 'stop' };
type FromWorker = { t: 'log'; line: string } | { t: 'ready' } | { t: 'stopped' };

export interface Bookkeeper {
  /** Queue events (from the proxy): returns at once. */
  sink(events: WireEvent[]): void;
  stop(): Promise<void>;
  /** The bookkeeping thread (null when it runs on the caller's thread). */
  readonly thread: Worker | null;
}


/** Queueing, sending and (with `watch`) log scanning, on whichever thread calls it. */
export function bookkeeping(cfg: AgentConfig, opts: BookkeeperOptions, log: (line: string) => void): Bookkeeper {
  const outbox = new Outbox(cfg.stateDir);
  const flusher = new Flusher(outbox, cfg.stateDir, cfg.login);
  flusher.start(cfg.flushMs);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  if (opts.watch) {
    const salt = loadSalt(cfg.stateDir);
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
      if (!stopped) timer = setTimeout(tick, opts.scanMs);
    };
    tick();
  }
  return {
    thread: null,
    sink: (events) => outbox.append(events),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await flusher.stop();
      outbox.close();
    },
  };
}

/** Starts the bookkeeping in a worker thread; resolves once it is running. */
export function startBookkeeper(cfg: AgentConfig, opts: BookkeeperOptions, log: (line: string) => void): Promise<Bookkeeper> {
  const { Worker } = workerThreadsModule();
  // argv marks the thread for main.ts (the bundle's entry), which then loads this module.
  const options = { workerData: { role: BOOKKEEPER_ROLE, cfg, opts }, argv: [BOOKKEEPER_ARG] };
  const worker = import.meta.url.endsWith('.ts')
    // From source (tests, development under tsx): Node 20 does not carry tsx's loader into
    // worker threads, so the worker registers it before loading this module.
    ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); }).then((m) => m.serveIfBookkeeper())`, { ...options, eval: true })
    : new Worker(new URL(import.meta.url), options);
  let fallback: Bookkeeper | null = null;
  let stopping: Promise<void> | null = null;
  let ended = false;
  const takeOver = (why: string): void => {
    if (ended || fallback) return;
    log(`agent: the bookkeeping thread stopped (${why}); queueing and sending on the main thread`);
    // Its open segments and locks: nobody else in this process would release them.
    new Outbox(cfg.stateDir).adoptOwnThreads();
    releaseOwnLock(join(cfg.stateDir, 'outbox', 'send.lock'));
    releaseOwnLock(join(cfg.stateDir, 'scan.lock'));
    fallback = bookkeeping(cfg, opts, log);
  };
  worker.on('message', (m: FromWorker) => {
    if (m.t === 'log') log(m.line);
  });
  worker.on('error', (err) => takeOver(err.message));
  worker.on('exit', (code) => {
    if (!stopping) takeOver(`exit code ${code}`);
  });
  // Events of responses that end in the same turn of the event loop go over in one
  // message: waking the worker costs tens of microseconds, a message more costs nothing.
  let pending: WireEvent[] = [];
  const handOver = (): void => {
    const events = pending;
    pending = [];
    if (fallback) fallback.sink(events);
    else worker.postMessage({ t: 'events', events } satisfies ToWorker);
  };
  const keeper: Bookkeeper = {
    thread: worker,
    sink(events) {
      if (!pending.length) setImmediate(handOver);
      for (const e of events) pending.push(e);
    },
    stop() {
      stopping ??= (async () => {
        if (pending.length) handOver();
        if (!fallback) {
          // Everything posted before 'stop' is queued first: messages arrive in order.
          await new Promise<void>((ok) => {
            worker.once('exit', () => ok());
            worker.on('message', (m: FromWorker) => { if (m.t === 'stopped') void worker.terminate(); });
            worker.postMessage({ t: 'stop' } satisfies ToWorker);
          });
        }
        ended = true;
        await fallback?.stop();
      })();
      return stopping;
    },
  };
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker): void => {
      if (m.t !== 'ready') return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(keeper);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

/** Runs the bookkeeping when this is its worker thread; false anywhere else. */
export function serveIfBookkeeper(): boolean {
  const { isMainThread, parentPort, workerData } = workerThreadsModule();
  if (isMainThread || (workerData as { role?: string } | null)?.role !== BOOKKEEPER_ROLE) return false;
  const port = parentPort!;
  const { cfg, opts } = workerData as { cfg: AgentConfig; opts: BookkeeperOptions };
  const keeper = bookkeeping(cfg, opts, (line) => port.postMessage({ t: 'log', line } satisfies FromWorker));
  port.on('message', (m: ToWorker) => {
    if (m.t === 'events') keeper.sink(m.events);
    else if (m.t === 'stop') void keeper.stop().then(() => port.postMessage({ t: 'stopped' } satisfies FromWorker));
  });
  port.postMessage({ t: 'ready' } satisfies FromWorker);
  return true;
}
