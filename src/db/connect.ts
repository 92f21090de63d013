// Opens the database: a SQLite file in the data dir by default (WAL, busy timeout,
// foreign keys on), or PostgreSQL when database.url says so. Sequelize manages the
// connections and runs the migrations; queries go through src/db/sql.ts.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Sequelize, Transaction } from 'sequelize';
import type { Config } from '../config.ts';
import { createWriter, type Writer } from './writer.ts';
import { pgSql, sqliteSql, WRITE_STATEMENT, type Dialect, type PgQueryable, type Sql } from './sql.ts';

export interface Db {
  dialect: Dialect;
  /** For the migrations (umzug over Sequelize's QueryInterface); queries use `sql`. */
  sequelize: Sequelize;
  /** SQLite file path, or null for PostgreSQL. */
  file: string | null;
  /** Queries outside a transaction. */
  sql: Sql;
  /**
   * A transaction on a connection of its own: on SQLite BEGIN IMMEDIATE, one at a time per
   * process; on PostgreSQL READ COMMITTED, retried on a deadlock or serialization failure
   * (so `fn` must only touch the database).
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** The hot write path (ingest, telemetry, imports): group commit on SQLite; a transaction on PostgreSQL. */
  writer: Writer;
  close(): Promise<void>;
}

const BUSY_TIMEOUT_MS = 10_000;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export function sqlitePath(cfg: Config): string {
  const url = cfg.database.url;
  if (url.startsWith('sqlite:')) return url.replace(/^sqlite:(\/\/)?/, '');
  return join(cfg.server.data_dir, 'tokenboard.sqlite');
}

/** Opens the configured database; `url` opens another one (copy-db's target). */
export async function openDb(cfg: Config, url = cfg.database.url): Promise<Db> {
  return isPostgresUrl(url) ? openPostgres(url) : openSqlite(url === cfg.database.url ? sqlitePath(cfg) : url.replace(/^sqlite:(\/\/)?/, ''));
}

// ---------------------------------------------------------------- SQLite

export interface SqliteConn {
  __tbConfigured?: boolean;
  configure(option: 'busyTimeout', value: number): void;
  exec(sql: string, cb: (err: Error | null) => void): void;
  run(sql: string, params: unknown[], cb: (this: { changes: number; lastID: number }, err: Error | null) => void): void;
  all(sql: string, params: unknown[], cb: (err: Error | null, rows: unknown[]) => void): void;
  prepare(sql: string, cb?: (err: Error | null) => void): SqliteStatement;
  close(cb?: (err: Error | null) => void): void;
}

export interface SqliteStatement {
  all(params: unknown[], cb: (err: Error | null, rows: unknown[]) => void): void;
  run(params: unknown[], cb: (this: { changes: number }, err: Error | null) => void): void;
  finalize(cb?: () => void): void;
}

type Cm = { getConnection: (o?: unknown) => Promise<SqliteConn> };

async function openSqlite(file: string): Promise<Db> {
  // The data dir holds the database, its WAL and the secret key: owner only.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const oldMask = process.umask(0o077);
  // IMMEDIATE: a transaction that reads first and writes later would otherwise fail with
  // SQLITE_BUSY (no waiting) when another connection committed in between.
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false, transactionType: Transaction.TYPES.IMMEDIATE });
  // Sequelize opens one sqlite3 connection per transaction (and a default one). Every one
  // of them needs the busy timeout, or a second process (the CLI next to a running server)
  // gets SQLITE_BUSY at once instead of waiting its turn.
  const cm = sequelize.connectionManager as unknown as Cm;
  const original = cm.getConnection.bind(cm);
  cm.getConnection = async (o?: unknown) => {
    const conn = await original(o);
    if (!conn.__tbConfigured) {
      conn.__tbConfigured = true;
      conn.configure('busyTimeout', BUSY_TIMEOUT_MS);
      await exec(conn, 'PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;');
    }
    return conn;
  };
  serializeTransactions(sequelize);
  let reader: SqliteConn;
  let writerConn: SqliteConn;
  try {
    reader = await cm.getConnection();
    await exec(reader, 'PRAGMA journal_mode=WAL');
    writerConn = await cm.getConnection({ uuid: 'writer' });
  } finally {
    process.umask(oldMask);
  }
  // Files made before this build may be 0644; the WAL and shared-memory files inherit.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try { chmodSync(f, 0o600); } catch { /* not there yet */ }
  }
  // The writer keeps the hot index pages in its own 64 MB cache and checkpoints the WAL
  // in larger steps: both cut the work per ingested row.
  await exec(writerConn, 'PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=4000; PRAGMA temp_store=MEMORY;');
  const writer = createWriter(writerConn);
  // Every write of this process goes through the writer's queue (see writer.ts for why);
  // reads stay on the reader connection, which WAL lets run beside the writer.
  const read = sqliteSql(reader);
  const sql: Sql = {
    dialect: 'sqlite',
    all: <T extends object>(text: string, params?: readonly unknown[]) =>
      (WRITE_STATEMENT.test(text) ? writer.transaction((tx) => tx.all<T>(text, params)) : read.all<T>(text, params)),
    run: (text, params) => writer.transaction((tx) => tx.run(text, params)),
  };
  return {
    dialect: 'sqlite',
    sequelize,
    file,
    sql,
    transaction: <T>(fn: (tx: Sql) => Promise<T>) => writer.transaction(fn),
    writer,
    async close() {
      await writer.close();
      await sequelize.close();
    },
  };
}


function exec(conn: SqliteConn, sql: string): Promise<void> {
  return new Promise((resolve, reject) => conn.exec(sql, (e) => (e ? reject(e) : resolve())));
}

/**
 * Managed Sequelize transactions of this process run one at a time. Each opens its own
 * SQLite connection and, being IMMEDIATE, waits for the write lock in a worker thread;
 * queueing them here keeps at most one such waiter instead of a pile that can starve the
 * lock holder of threads.
 */
function serializeTransactions(sequelize: Sequelize): void {
  const original = sequelize.transaction.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  (sequelize as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) => {
    const managed = typeof args[args.length - 1] === 'function';
    if (!managed) return original(...args);
    const run = tail.then(() => original(...args));
    tail = run.catch(() => undefined);
    return run;
  };
}

// ---------------------------------------------------------------- PostgreSQL

type PgConn = PgQueryable & { query(text: string): Promise<unknown> };
type PgCm = { getConnection: (o?: unknown) => Promise<PgConn>; releaseConnection: (c: PgConn) => void };

/** Deadlock, serialization failure: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 6;

async function openPostgres(url: string): Promise<Db> {
  const sequelize = new Sequelize(url, {
    dialect: 'postgres', logging: false,
    // Replicas share the database server's connection limit (100 by default): a few each.
    pool: { max: 10, min: 0, idle: 10_000, acquire: 30_000 },
  });
  const cm = sequelize.connectionManager as unknown as PgCm;
  const withConn = async <T>(fn: (c: PgConn) => Promise<T>): Promise<T> => {
    const c = await cm.getConnection();
    try {
      return await fn(c);
    } finally {
      cm.releaseConnection(c);
    }
  };
  const sql: Sql = {
    dialect: 'postgres',
    all: (text, params) => withConn((c) => pgSql(c).all(text, params)),
    run: (text, params) => withConn((c) => pgSql(c).run(text, params)),
  };
  const inFlight = new Set<Promise<unknown>>();
  async function transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withConn(async (c) => {
          await c.query('BEGIN');
          try {
            const out = await fn(pgSql(c));
            await c.query('COMMIT');
            return out;
          } catch (err) {
            await c.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  }
  const tracked = <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => {
    const p = transaction(fn);
    inFlight.add(p);
    p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };
  const idle = async () => { while (inFlight.size) await Promise.allSettled([...inFlight]); };
  // Fail here, with the server's own words, rather than at the first request.
  await sql.all('SELECT 1');
  return {
    dialect: 'postgres',
    sequelize,
    file: null,
    sql,
    transaction,
    writer: { transaction: tracked, idle, close: idle },
    async close() {
      await idle();
      await sequelize.close();
    },
  };
}
