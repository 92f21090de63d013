// A lock across processes for migrations. PostgreSQL: a session advisory lock on a
// connection of its own. SQLite: an exclusive transaction on a small lock database next to
// the real one (the migrations themselves run on other connections, so the real file must
// stay unlocked); SQLite's file locks vanish with a process that dies, so a crashed start
// never leaves the lock behind.
import { chmodSync } from 'node:fs';
import sqlite3 from 'sqlite3';
import type { Db } from './connect.ts';

/** pg_advisory_lock's key: any fixed 64-bit number, this one spells "tokenbrd". */
const PG_LOCK_KEY = '8390880602192884836';
const SQLITE_WAIT_MS = 10 * 60_000;

export async function withMigrationLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  return db.dialect === 'postgres' ? withPgLock(db, fn) : withSqliteLock(`${db.file}.migrate-lock`, fn);
}

type PgConn = { query(text: string): Promise<unknown> };
type Cm = { getConnection(): Promise<PgConn>; releaseConnection(c: PgConn): void };

async function withPgLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const cm = db.sequelize.connectionManager as unknown as Cm;
  const conn = await cm.getConnection();
  try {
    await conn.query(`SELECT pg_advisory_lock(${PG_LOCK_KEY})`);
    try {
      return await fn();
    } finally {
      await conn.query(`SELECT pg_advisory_unlock(${PG_LOCK_KEY})`);
    }
  } finally {
    cm.releaseConnection(conn);
  }
}

async function withSqliteLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(file, (e) => (e ? reject(e) : resolve(d)));
  });
  const exec = (sql: string) => new Promise<void>((resolve, reject) => lock.exec(sql, (e) => (e ? reject(e) : resolve())));
  try { chmodSync(file, 0o600); } catch { /* created by another process meanwhile: theirs to set */ }
  try {
    lock.configure('busyTimeout', SQLITE_WAIT_MS);
    await exec('BEGIN EXCLUSIVE');
    try {
      return await fn();
    } finally {
      await exec('COMMIT');
    }
  } finally {
    await new Promise<void>((resolve) => lock.close(() => resolve()));
  }
}
