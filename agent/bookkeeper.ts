// The agent's bookkeeping in a worker thread of its own, so that the proxy's thread does
// nothing but proxy: queue writes, batch building, signing, sending and log scans (a
// first scan of a large history takes seconds) all happen here. The proxy hands the
// events of each turn of its event loop over in one postMessage.
//
// The worker runs this same file: in the bundle that is the bundle itself (main.ts
// starts the bookkeeping when it finds itself in a worker with this role), from source it
// is this module. A scan that read a large backlog leaves the thread's heap large, so the
// thread then hands over to a fresh one (its memory goes back to the system when it
// exits). Should a thread die, the events are queued and sent on the calling thread as
// before, and a log line says so.
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
/** A scan that found this many events read a backlog: the thread then makes way for a fresh one. */
export const RENEW_AFTER_EVENTS = 2000;

export interface BookkeeperOptions {
  /** Scan the local logs every `scanMs` (`run`), or only queue and send (`proxy`). */
  watch: boolean;
  scanMs: number;
}

type ToWorker = { t: 'events'; events: WireEvent[] } | { t: 'stop' };
type FromWorker = { t: 'log'; line: string } | { t: 'ready' } | { t: 'stopped' } | { t: 'renew' };

export interface Bookkeeper {
  /** Queue events (from the proxy): returns at once. */
  sink(events: WireEvent[]): void;
  stop(): Promise<void>;
  /** The current bookkeeping thread (null when it runs on the caller's thread). */
  readonly thread: Worker | null;
}

/**
 * Queueing, sending and (with `watch`) log scanning, on whichever thread calls it. The
 * first scan starts after the caller got control back (the proxy listens first).
 */
export function bookkeeping(cfg: AgentConfig, opts: BookkeeperOptions, log: (line: string) => void, afterScan?: (found: number) => void): Bookkeeper {
  const outbox = new Outbox(cfg.stateDir);
  const flusher = new Flusher(outbox, cfg.stateDir, cfg.login);
  flusher.start(cfg.flushMs);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  if (opts.watch) {
    const salt = loadSalt(cfg.stateDir);
    const scanOnce = (): number => {
      // One scanner at a time across processes (a `collect` may be running).
      const unlock = tryLock(join(cfg.stateDir, 'scan.lock'));
      if (!unlock) return 0;
      try {
        const scan = scanLogs({ stateDir: cfg.stateDir, roots: cfg.logRoots, salt });
        outbox.append(scan.events);
        outbox.seal();
        scan.commit();
        if (scan.events.length) log(`logs: ${scan.events.length} new events (${fmtCounts(scan.bySource)})`);
        return scan.events.length;
      } catch (err) {
        log(`logs: scan failed: ${(err as Error).message}`);
        return 0;
      } finally {
        unlock();
      }
    };
    const tick = (): void => {
      if (stopped) return;
      const found = scanOnce();
      timer = setTimeout(tick, opts.scanMs);
      afterScan?.(found);
    };
    timer = setTimeout(tick, 0);
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

function spawnThread(cfg: AgentConfig, opts: BookkeeperOptions): Worker {
  const { Worker } = workerThreadsModule();
  // argv marks the thread for main.ts (the bundle's entry), which then loads this module.
  const options = { workerData: { role: BOOKKEEPER_ROLE, cfg, opts }, argv: [BOOKKEEPER_ARG] };
  return import.meta.url.endsWith('.ts')
    // From source (tests, development under tsx): Node 20 does not carry tsx's loader into
    // worker threads, so the worker registers it before loading this module.
    ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); }).then((m) => m.serveIfBookkeeper())`, { ...options, eval: true })
    : new Worker(new URL(import.meta.url), options);
}

/** Starts the bookkeeping in a worker thread; resolves once it is running. */
export function startBookkeeper(cfg: AgentConfig, opts: BookkeeperOptions, log: (line: string) => void): Promise<Bookkeeper> {
  let worker: Worker | null = null; // the thread events go to; null while one is starting or renewing
  let current: Worker | null = null;
  let fallback: Bookkeeper | null = null;
  let stopping: Promise<void> | null = null;
  // Events of responses that end in the same turn of the event loop go over in one
  // message (waking the worker costs tens of microseconds, a message more costs nothing);
  // they also wait here while a thread starts.
  let pending: WireEvent[] = [];
  let scheduled = false;
  const handOver = (): void => {
    scheduled = false;
    if (!pending.length) return;
    if (fallback) fallback.sink(pending);
    else if (worker && !stopping) worker.postMessage({ t: 'events', events: pending } satisfies ToWorker);
    else return; // a thread is starting (it gets them once ready) or stopping (`stop` queues them)
    pending = [];
  };

  const takeOver = (why: string): void => {
    if (stopping || fallback) return;
    log(`agent: the bookkeeping thread stopped (${why}); queueing and sending on the main thread`);
    worker = null;
    // Its open segments and locks: nobody else in this process would release them.
    new Outbox(cfg.stateDir).adoptOwnThreads();
    releaseOwnLock(join(cfg.stateDir, 'outbox', 'send.lock'));
    releaseOwnLock(join(cfg.stateDir, 'scan.lock'));
    fallback = bookkeeping(cfg, opts, log);
    handOver();
  };

  const launch = (): Promise<void> => new Promise((resolve, reject) => {
    const w = spawnThread(cfg, opts);
    current = w;
    let renewing = false;
    w.on('message', (m: FromWorker) => {
      if (m.t === 'log') log(m.line);
      else if (m.t === 'ready') {
        worker = w;
        handOver();
        resolve();
      } else if (m.t === 'renew' && !stopping) {
        // From now on events wait here; the thread queues what it has and stops.
        renewing = true;
        worker = null;
        w.postMessage({ t: 'stop' } satisfies ToWorker);
      } else if (m.t === 'stopped') void w.terminate();
    });
    w.on('error', (err) => {
      reject(err);
      takeOver(err.message);
    });
    w.on('exit', (code) => {
      if (stopping) return;
      if (renewing) launch().catch((err: Error) => takeOver(err.message));
      else takeOver(`exit code ${code}`);
    });
  });

  const keeper: Bookkeeper = {
    get thread() {
      return current;
    },
    sink(events) {
      for (const e of events) pending.push(e);
      if (!scheduled) {
        scheduled = true;
        setImmediate(handOver);
      }
    },
    stop() {
      stopping ??= (async () => {
        const w = current;
        if (w && !fallback) {
          if (w === worker && pending.length) {
            w.postMessage({ t: 'events', events: pending } satisfies ToWorker);
            pending = [];
          }
          // Everything posted before 'stop' is queued first: messages arrive in order. (A
          // thread still starting gets it once it listens; one renewing is stopping anyway.)
          await new Promise<void>((ok) => {
            w.once('exit', () => ok());
            w.postMessage({ t: 'stop' } satisfies ToWorker);
          });
        }
        if (pending.length) {
          // Held while a thread was starting or renewing: queued here.
          (fallback ??= bookkeeping(cfg, { ...opts, watch: false }, log)).sink(pending);
          pending = [];
        }
        await fallback?.stop();
      })();
      return stopping;
    },
  };
  return launch().then(() => keeper);
}

/** Runs the bookkeeping when this is its worker thread; false anywhere else. */
export function serveIfBookkeeper(): boolean {
  const { isMainThread, parentPort, workerData } = workerThreadsModule();
  if (isMainThread || (workerData as { role?: string } | null)?.role !== BOOKKEEPER_ROLE) return false;
  const port = parentPort!;
  const { cfg, opts } = workerData as { cfg: AgentConfig; opts: BookkeeperOptions };
  let renewing = false;
  const keeper = bookkeeping(cfg, opts, (line) => port.postMessage({ t: 'log', line } satisfies FromWorker), (found) => {
    if (found >= RENEW_AFTER_EVENTS && !renewing) {
      renewing = true;
      port.postMessage({ t: 'renew' } satisfies FromWorker);
    }
  });
  port.on('message', (m: ToWorker) => {
    if (m.t === 'events') keeper.sink(m.events);
    else if (m.t === 'stop') void keeper.stop().then(() => port.postMessage({ t: 'stopped' } satisfies FromWorker));
  });
  port.postMessage({ t: 'ready' } satisfies FromWorker);
  return true;
}
