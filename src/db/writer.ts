// One long-lived write connection with an in-process queue. SQLite takes one writer at a
// time anyway; queueing here (instead of letting transactions fight over the lock) keeps
// ingest fast and fair. Group commit: jobs that queued up while a transaction ran are run
// together in the next one, each inside its own SAVEPOINT, so a failing job rolls back
// alone and every job still resolves only after its COMMIT. Statements are prepared once.
// (PostgreSQL needs none of this: its writer is a plain transaction, see connect.ts.)
//
// On SQLite every write of the process comes here, not only ingest (connect.ts): a write on
// another connection would wait for the lock in SQLite's busy handler, which sleeps and
// polls, while this queue hands the lock from one group to the next at once — under a herd
// of agents it would starve until the busy timeout and fail with SQLITE_BUSY.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqliteConn, SqliteStatement } from './connect.ts';
import { sqliteParams, type Sql } from './sql.ts';

export interface Writer {
  /** Runs fn inside a transaction; its changes roll back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Resolves once every queued transaction has finished. */
  idle(): Promise<void>;
  /** Waits for queued work, then finalizes the cached statements (before the connection closes). */
  close(): Promise<void>;
}

interface Job {
  fn: (tx: Sql) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const MAX_CACHED_STATEMENTS = 64;

/** A job awaiting another write would wait for itself: refused at once with a clear error. */
export class NestedWriteError extends Error {
  constructor() {
    super('a write transaction was started from inside another one on the same SQLite writer; use the transaction it was given');
  }
}
const MAX_GROUP = 32;

export function createWriter(conn: SqliteConn): Writer {
  const statements = new Map<string, SqliteStatement>();
  const queue: Job[] = [];
  let running: Promise<void> | null = null;
  // The job whose fn is running now, and the async context each job's fn runs in.
  let current: Job | null = null;
  const inJob = new AsyncLocalStorage<Job>();

  function statement(sql: string): SqliteStatement {
    let st = statements.get(sql);
    if (!st) {
      if (statements.size >= MAX_CACHED_STATEMENTS) {
        const [oldSql, old] = statements.entries().next().value as [string, SqliteStatement];
        statements.delete(oldSql);
        old.finalize();
      }
      st = conn.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  }

  const tx: Sql = {
    dialect: 'sqlite',
    run: (sql, params = []) => new Promise((resolve, reject) => {
      statement(sql).run(sqliteParams(params), function (err) { if (err) reject(err); else resolve(this.changes); });
    }),
    all: <T extends object>(sql: string, params: readonly unknown[] = []) => new Promise<T[]>((resolve, reject) => {
      statement(sql).all(sqliteParams(params), (err, rows) => (err ? reject(err) : resolve(rows as T[])));
    }),
  };
  const exec = (sql: string) => new Promise<void>((resolve, reject) => conn.exec(sql, (e) => (e ? reject(e) : resolve())));

  // Each exec is a hop to SQLite's thread and back, so the savepoint steps between jobs go
  // together: BEGIN with the first SAVEPOINT, one job's RELEASE with the next one's SAVEPOINT,
  // the last RELEASE with COMMIT (a batch's statements are only about fifteen hops).
  async function runGroup(group: Job[]): Promise<void> {
    const outcomes: { ok: boolean; value: unknown }[] = [];
    const failAll = async (err: unknown) => {
      await exec('ROLLBACK').catch(() => undefined);
      for (const j of group) j.reject(err);
    };
    try {
      await exec('BEGIN IMMEDIATE; SAVEPOINT job');
    } catch (err) {
      return failAll(err);
    }
    for (let i = 0; i < group.length; i++) {
      const job = group[i];
      try {
        current = job;
        const value = await inJob.run(job, () => job.fn(tx));
        outcomes.push({ ok: true, value });
      } catch (err) {
        // The savepoint stays open (empty now) and is released with the others.
        await exec('ROLLBACK TO job').catch(() => undefined);
        outcomes.push({ ok: false, value: err });
      } finally {
        current = null;
      }
      try {
        await exec(i < group.length - 1 ? 'RELEASE job; SAVEPOINT job' : 'RELEASE job; COMMIT');
      } catch (err) {
        // Nothing of the group is stored: every job fails (their callers send again).
        return failAll(err);
      }
    }
    group.forEach((j, i) => (outcomes[i].ok ? j.resolve(outcomes[i].value) : j.reject(outcomes[i].value)));
  }

  function pump(): void {
    if (running || queue.length === 0) return;
    running = runGroup(queue.splice(0, MAX_GROUP)).finally(() => {
      running = null;
      pump();
    });
  }

  async function idle(): Promise<void> {
    while (running || queue.length) await (running ?? Promise.resolve());
  }

  return {
    transaction<T>(fn: (t: Sql) => Promise<T>): Promise<T> {
      // A running job awaiting another transaction would wait for itself forever. (Work a
      // finished job left behind, in its async context, queues as usual.)
      if (current && inJob.getStore() === current) return Promise.reject(new NestedWriteError());
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        pump();
      });
    },
    idle,
    async close() {
      await idle();
      await Promise.all([...statements.values()].map((st) => new Promise<void>((r) => st.finalize(() => r()))));
      statements.clear();
    },
  };
}
