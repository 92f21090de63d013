// One long-lived write connection with an in-process queue: SQLite takes one writer at a
// time anyway, and queueing here (instead of letting transactions fight over the lock)
// keeps ingest fast and fair. Statements are prepared once and reused.
import type { SqliteConn, SqliteStatement } from './connect.ts';

export interface Tx {
  run(sql: string, params?: unknown[]): Promise<number>;
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Writer {
  /** Runs fn inside BEGIN IMMEDIATE … COMMIT; rolls back if it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Resolves once every queued transaction has finished. */
  idle(): Promise<void>;
  /** Waits for queued work, then finalizes the cached statements (before the connection closes). */
  close(): Promise<void>;
}

const MAX_CACHED_STATEMENTS = 64;

export function createWriter(conn: SqliteConn): Writer {
  const statements = new Map<string, SqliteStatement>();
  let tail: Promise<unknown> = Promise.resolve();

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

  const tx: Tx = {
    run: (sql, params = []) => new Promise((resolve, reject) => {
      statement(sql).run(params, function (err) { if (err) reject(err); else resolve(this.changes); });
    }),
    all: <T>(sql: string, params: unknown[] = []) => new Promise<T[]>((resolve, reject) => {
      statement(sql).all(params, (err, rows) => (err ? reject(err) : resolve(rows as T[])));
    }),
  };
  const exec = (sql: string) => new Promise<void>((resolve, reject) => conn.exec(sql, (e) => (e ? reject(e) : resolve())));

  return {
    transaction<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
      const run = tail.then(async () => {
        await exec('BEGIN IMMEDIATE');
        try {
          const out = await fn(tx);
          await exec('COMMIT');
          return out;
        } catch (err) {
          await exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
      tail = run.catch(() => undefined);
      return run;
    },
    idle: () => tail.then(() => undefined),
    async close() {
      await tail;
      await Promise.all([...statements.values()].map((st) => new Promise<void>((r) => st.finalize(() => r()))));
      statements.clear();
    },
  };
}
