// Drains the outbox to the server: one sender at a time (a lock file), batches from the
// head of the queue, and what each answer means (DESIGN "Agent", issue: outbox):
//   stored / 409       → done (409: this exact request was already received)
//   network, 5xx, 429  → keep everything, retry with exponential backoff and jitter
//   401                → stop sending, keep everything; `status` says why
//   400 / 413          → set the refused event (or batch) aside in rejected.jsonl
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { MAX_EVENTS, type WireEvent } from './wire.ts';
import type { Login } from './config.ts';
import type { Batch, Outbox } from './outbox.ts';
import { eventIndexOf, IN_FLIGHT, postBatch, type FetchLike, type SendResult } from './sender.ts';
import { pidAlive, readJson, writeJsonAtomic } from './fsutil.ts';

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 5 * 60_000;

export interface SenderState {
  last_send?: { at: number; accepted: number; duplicates: number };
  last_error?: { at: number; status: number | null; error: string };
  /** Set by a 401; cleared by a new login or a successful ping. */
  blocked?: { at: number; error: string; server: string; user: number; token_fp: string };
  sent_by_source: Record<string, number>;
  delivered: number;
}

export type FlushOutcome = 'empty' | 'retry' | 'blocked' | 'busy' | 'no-login' | 'waiting';

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

export function statePath(stateDir: string): string {
  return join(stateDir, 'sender.json');
}

export function readSenderState(stateDir: string): SenderState {
  return { sent_by_source: {}, delivered: 0, ...readJson<Partial<SenderState>>(statePath(stateDir), {}) };
}

export function isBlocked(state: SenderState, login: Login): boolean {
  const b = state.blocked;
  return !!b && b.server === login.server && b.user === login.user && b.token_fp === tokenFingerprint(login.token);
}

/** Backoff before retry number `attempt` (0-based): half fixed, half random ("equal jitter"). */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** An exclusive lock held by a live pid; a dead holder's lock is taken over. */
export function tryLock(path: string): (() => void) | null {
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(readFileSync(path, 'utf8'));
      } catch {
        continue;
      }
      if (pidAlive(holder)) return null;
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first; try again.
      }
    }
  }
  return null;
}

/**
 * What a drain delivered, written to sender.json at most once a second and when the
 * drain ends (a write per batch was two file renames per 500 events).
 */
class DeliveryStats {
  private delivered = 0;
  private bySource: Record<string, number> = {};
  private last: SenderState['last_send'] | null = null;
  private savedAt = 0;

  get unsaved(): boolean {
    return this.last !== null;
  }

  add(events: WireEvent[], last: NonNullable<SenderState['last_send']>): void {
    this.delivered += events.length;
    for (const e of events) {
      const src = e.source ?? 'unknown';
      this.bySource[src] = (this.bySource[src] ?? 0) + 1;
    }
    this.last = last;
  }

  due(now: number): boolean {
    return now - this.savedAt >= 1000;
  }

  into(s: SenderState, now: number): void {
    this.savedAt = now;
    if (!this.last) return;
    s.last_send = this.last;
    s.delivered += this.delivered;
    for (const [src, n] of Object.entries(this.bySource)) s.sent_by_source[src] = (s.sent_by_source[src] ?? 0) + n;
    delete s.last_error;
    this.delivered = 0;
    this.bySource = {};
    this.last = null;
  }
}

/** Removes a lock this process holds (one of its threads died holding it). */
export function releaseOwnLock(path: string): void {
  try {
    if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
  } catch {
    // Not held.
  }
}

export interface FlusherOptions {
  fetchImpl?: FetchLike;
  random?: () => number;
  now?: () => number;
  /** Progress while draining (events sent so far in this flush). */
  onProgress?: (sent: number) => void;
}

export class Flusher {
  private attempts = 0;
  private nextAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<FlushOutcome> | null = null;
  private readonly now: () => number;

  constructor(private readonly outbox: Outbox, private readonly stateDir: string, private readonly login: Login | null, private readonly opts: FlusherOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  state(): SenderState {
    return readSenderState(this.stateDir);
  }

  private save(update: (s: SenderState) => void): void {
    const s = this.state();
    update(s);
    writeJsonAtomic(statePath(this.stateDir), s);
  }

  /** When the next retry is due (0 when not backing off). */
  retryAt(): number {
    return this.nextAt;
  }

  /** One drain of the queue; concurrent calls share the same run. */
  flush(opts: { ignoreBackoff?: boolean } = {}): Promise<FlushOutcome> {
    if (!this.running) this.running = this.drain(opts.ignoreBackoff ?? false).finally(() => { this.running = null; });
    return this.running;
  }

  private async drain(ignoreBackoff: boolean): Promise<FlushOutcome> {
    this.outbox.seal();
    const login = this.login;
    if (!login) return 'no-login';
    if (isBlocked(this.state(), login)) return 'blocked';
    if (!ignoreBackoff && this.now() < this.nextAt) return 'waiting';
    const unlock = tryLock(join(this.outbox.dir, 'send.lock'));
    if (!unlock) return 'busy';
    const stats = new DeliveryStats();
    let maxEvents = MAX_EVENTS;
    let sent = 0;
    try {
      // Pacing: at most IN_FLIGHT batches of ours on the wire, each next one posted only
      // once the oldest is answered, so a long drain (a first `collect` of a year of
      // history) keeps at most that many requests in the server's queue, and other agents'
      // requests wait behind two batches at most; 429/503 answers and timeouts back off
      // (with Retry-After). Two in flight let the server parse and check one batch while it
      // writes the other. Every drain starts with one, and goes back to one after any
      // answer but success: the queue's progress is acknowledged in order, so a batch
      // stored after its predecessor failed is sent again later (the server counts its
      // event ids once). Each next batch is read, checked and built while the ones before
      // it are on the wire.
      const window: { batch: Batch; posting: Promise<SendResult> | null }[] = [];
      let depth = 1;
      let next = this.outbox.nextBatch(maxEvents);
      for (;;) {
        while (next && window.length < depth) {
          // A batch read ahead may hold only unsendable lines: it is acked in its turn.
          window.push({ batch: next, posting: next.events.length ? postBatch(login, next.body, this.opts.fetchImpl) : null });
          // After a turn of the event loop, so that the request is written first.
          await new Promise((ok) => setImmediate(ok));
          next = this.outbox.nextBatch(maxEvents, next);
        }
        const head = window.shift();
        if (!head) break;
        const batch = head.batch;
        if (!head.posting) {
          this.outbox.ack(batch, { save: false });
          continue;
        }
        const r = await head.posting;
        if (r.kind === 'stored' || r.kind === 'replayed') {
          const due = stats.due(this.now());
          this.outbox.ack(batch, { save: due });
          this.attempts = 0;
          this.nextAt = 0;
          depth = IN_FLIGHT;
          sent += batch.events.length;
          stats.add(batch.events, r.kind === 'stored' ? { at: this.now(), accepted: r.accepted, duplicates: r.duplicates } : { at: this.now(), accepted: 0, duplicates: batch.events.length });
          if (due) this.save((s) => stats.into(s, this.now()));
          this.opts.onProgress?.(sent);
          continue;
        }
        // Anything else: the batches after it are let finish and read again from the queue.
        await Promise.all(window.map((w) => w.posting));
        window.length = 0;
        depth = 1;
        if (r.kind === 'retry') {
          const wait = Math.max(backoffMs(this.attempts, this.opts.random), r.retryAfterMs ?? 0);
          this.attempts++;
          this.nextAt = this.now() + wait;
          this.save((s) => { s.last_error = { at: this.now(), status: r.status, error: r.error }; });
          return 'retry';
        }
        if (r.kind === 'unauthorized') {
          this.save((s) => {
            s.blocked = { at: this.now(), error: r.error, server: login.server, user: login.user, token_fp: tokenFingerprint(login.token) };
            s.last_error = { at: this.now(), status: 401, error: r.error };
          });
          return 'blocked';
        }
        this.refused(batch, r.status, r.error, r.field, () => { maxEvents = Math.max(1, Math.ceil(batch.events.length / 2)); });
        next = this.outbox.nextBatch(maxEvents);
      }
      return 'empty';
    } finally {
      this.outbox.saveProgress();
      if (stats.unsaved) this.save((s) => stats.into(s, this.now()));
      unlock();
    }
  }

  private refused(batch: Batch, status: number, error: string, field: string | null, shrink: () => void): void {
    const at = this.now();
    this.save((s) => { s.last_error = { at, status, error }; });
    if (status === 413 && batch.events.length > 1) {
      // The server's limits are smaller than ours: try smaller batches rather than refuse events.
      shrink();
      return;
    }
    const index = eventIndexOf(field);
    if (index !== null && index < batch.events.length) {
      this.outbox.setAside([{ at, status, error, event: batch.events[index] }]);
      this.outbox.dropFromBatch(batch, index);
      return;
    }
    this.outbox.setAside(batch.events.map((event) => ({ at, status, error, event })));
    this.outbox.ack(batch);
  }

  /** Flush every `intervalMs` (and sooner after a backoff ends). */
  start(intervalMs: number): void {
    const tick = (): void => {
      this.flush().catch(() => 'retry' as const).finally(() => {
        if (this.timer === null) return;
        this.timer = setTimeout(tick, intervalMs);
      });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** A successful ping clears a 401 block (the token works again). */
  clearBlock(): void {
    this.save((s) => { delete s.blocked; });
  }
}
