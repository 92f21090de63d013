// Opens the database: a SQLite file in the data dir by default (WAL, busy timeout,
// foreign keys on), or PostgreSQL when database.url says so.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Sequelize, Transaction } from 'sequelize';
import type { Config } from '../config.ts';
import { createWriter, type Writer } from './writer.ts';
import { defineModels, type Models } from './models.ts';

export interface Db {
  sequelize: Sequelize;
  dialect: 'sqlite' | 'postgres';
  /** SQLite file path, or null for PostgreSQL. */
  file: string | null;
  /** Serialised write transactions for the hot paths (ingest). */
  writer: Writer;
  models: Models;
  close(): Promise<void>;
}

const BUSY_TIMEOUT_MS = 10_000;

export function sqlitePath(cfg: Config): string {
  const url = cfg.database.url;
  if (url.startsWith('sqlite:')) return url.replace(/^sqlite:(\/\/)?/, '');
  return join(cfg.server.data_dir, 'tokenboard.sqlite');
}

export async function openDb(cfg: Config): Promise<Db> {
  if (/^postgres(ql)?:/.test(cfg.database.url)) {
    throw new Error('database.url: PostgreSQL is not supported by this build yet; leave database.url empty to use SQLite');
  }
  const file = sqlitePath(cfg);
  mkdirSync(join(file, '..'), { recursive: true });
  // IMMEDIATE: a transaction that reads first and writes later would otherwise fail with
  // SQLITE_BUSY (no waiting) when another connection committed in between.
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false, transactionType: Transaction.TYPES.IMMEDIATE });
  // Sequelize opens one sqlite3 connection per transaction (and a default one). Every one
  // of them needs the busy timeout, or a second process (the CLI next to a running server)
  // gets SQLITE_BUSY at once instead of waiting its turn.
  const cm = sequelize.connectionManager as unknown as { getConnection: (o?: unknown) => Promise<SqliteConn> };
  const original = cm.getConnection.bind(cm);
  cm.getConnection = async (o?: unknown) => {
    const conn = await original(o);
    if (!conn.__tbConfigured) {
      conn.__tbConfigured = true;
      conn.configure('busyTimeout', BUSY_TIMEOUT_MS);
      await new Promise<void>((resolve, reject) => conn.exec('PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;', (e) => (e ? reject(e) : resolve())));
    }
    return conn;
  };
  serializeTransactions(sequelize);
  await sequelize.query('PRAGMA journal_mode=WAL');
  const writerConn = await cm.getConnection({ uuid: 'writer' });
  // The writer keeps the hot index pages in its own 64 MB cache and checkpoints the WAL
  // in larger steps: both cut the work per ingested row.
  await new Promise<void>((resolve, reject) => writerConn.exec('PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=4000; PRAGMA temp_store=MEMORY;', (e) => (e ? reject(e) : resolve())));
  const writer = createWriter(writerConn);
  return {
    sequelize,
    dialect: 'sqlite',
    file,
    writer,
    models: defineModels(sequelize),
    async close() {
      await writer.close();
      await sequelize.close();
    },
  };
}

export interface SqliteConn {
  __tbConfigured?: boolean;
  configure(option: 'busyTimeout', value: number): void;
  exec(sql: string, cb: (err: Error | null) => void): void;
  run(sql: string, params: unknown[], cb: (this: { changes: number; lastID: number }, err: Error | null) => void): void;
  all(sql: string, params: unknown[], cb: (err: Error | null, rows: unknown[]) => void): void;
  prepare(sql: string, cb?: (err: Error | null) => void): SqliteStatement;
}

export interface SqliteStatement {
  all(params: unknown[], cb: (err: Error | null, rows: unknown[]) => void): void;
  run(params: unknown[], cb: (this: { changes: number }, err: Error | null) => void): void;
  finalize(cb?: () => void): void;
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
