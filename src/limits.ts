// Rate limits on what an attacker can hammer: sign-in links, the GitHub callback, and
// ingest signatures that fail. Fixed windows per (purpose, client address) and, for ingest,
// per claimed user id too. One SQLite server counts in memory; replicas on PostgreSQL count
// in the shared table, so spreading requests over replicas gains nothing.
import type { Db } from './db/connect.ts';
import * as counters from './db/repos/rate-limits.ts';

export type Purpose = 'sign-in-link' | 'github-callback' | 'ingest';

export interface Policy {
  /** Hits allowed per window and key. */
  limit: number;
  windowMs: number;
  /** Whether every request counts, or only the failed ones (a wrong ingest signature). */
  counts: 'every' | 'failures';
}

// Generous for people and for honest agents: a whole office behind one address signs in
// at nine (only links that do not work count, and every GitHub callback costs a call to
// GitHub, so those all count), and an agent with a wrong token fails every batch anyway.
export const POLICIES: Record<Purpose, Policy> = {
  'sign-in-link': { limit: 20, windowMs: 60_000, counts: 'failures' },
  'github-callback': { limit: 60, windowMs: 60_000, counts: 'every' },
  ingest: { limit: 30, windowMs: 60_000, counts: 'failures' },
};

export interface Verdict {
  allowed: boolean;
  /** Seconds until the window ends (for retry-after). */
  retryAfter: number;
}

interface Store {
  /** Adds `by` and returns the window's count. */
  add(bucket: string, windowStart: number, by: number): Promise<number>;
  /** The window's counts, changing nothing. */
  read(buckets: string[], windowStart: number): Promise<number[]>;
  prune(before: number): Promise<void>;
}

function memoryStore(): Store {
  const hits = new Map<string, number>();
  return {
    async add(bucket, windowStart, by) {
      const k = `${windowStart}\u0000${bucket}`;
      const n = (hits.get(k) ?? 0) + by;
      if (by) hits.set(k, n);
      return n;
    },
    async read(buckets, windowStart) {
      return buckets.map((b) => hits.get(`${windowStart}\u0000${b}`) ?? 0);
    },
    async prune(before) {
      for (const k of hits.keys()) if (Number(k.split('\u0000')[0]) < before) hits.delete(k);
    },
  };
}

function databaseStore(db: Db): Store {
  return {
    add: (bucket, windowStart, by) => counters.add(db.sql, bucket, windowStart, by),
    read: (buckets, windowStart) => counters.read(db.sql, buckets, windowStart),
    async prune(before) { await counters.prune(db.sql, before); },
  };
}

export class Limits {
  private readonly store: Store;

  /** `clock` is for tests that must not straddle a window's end. */
  constructor(db: Db, private readonly clock: () => number = Date.now) {
    this.store = db.dialect === 'postgres' ? databaseStore(db) : memoryStore();
  }

  private window(p: Policy, now: number): number {
    return Math.floor(now / p.windowMs) * p.windowMs;
  }

  /**
   * Checks the keys (a client address, a claimed user id) before the work; a policy that
   * counts every request counts this one.
   */
  async check(purpose: Purpose, keys: string[], now = this.clock()): Promise<Verdict> {
    const p = POLICIES[purpose];
    const start = this.window(p, now);
    const buckets = keys.map((key) => `${purpose}:${key}`);
    let allowed: boolean;
    if (p.counts === 'every') {
      // n includes this request.
      allowed = true;
      for (const b of buckets) if ((await this.store.add(b, start, 1)) > p.limit) allowed = false;
    } else {
      // The past failures, every key in one read: ingest checks this before every batch.
      allowed = (await this.store.read(buckets, start)).every((n) => n < p.limit);
    }
    return { allowed, retryAfter: Math.max(1, Math.ceil((start + p.windowMs - now) / 1000)) };
  }

  /** Counts a failure (for policies that count only those). */
  async failed(purpose: Purpose, keys: string[], now = this.clock()): Promise<void> {
    const p = POLICIES[purpose];
    for (const key of keys) await this.store.add(`${purpose}:${key}`, this.window(p, now), 1);
  }

  /** Housekeeping: windows long over. */
  prune(now = this.clock()): Promise<void> {
    return this.store.prune(now - 10 * 60_000);
  }
}
