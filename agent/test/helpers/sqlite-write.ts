// Writing the SQLite stores the collectors read (the tools' side of the file) with the
// sqlite3 package the server uses: one connection kept open as the tool keeps it, in WAL
// mode when asked (as OpenCode, Goose, Kilo CLI, Hermes and ZCode write theirs).
import sqlite3 from 'sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TestDb {
  exec(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

/** Opens (creating it and its folder) the store at `path`. */
export async function openDb(path: string, opts: { wal?: boolean } = {}): Promise<TestDb> {
  mkdirSync(dirname(path), { recursive: true });
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(d)));
  });
  const exec = (sql: string, params: unknown[] = []) => new Promise<void>((resolve, reject) => {
    db.run(sql, params, (err) => (err ? reject(err) : resolve()));
  });
  const close = () => new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
  if (opts.wal) await exec('PRAGMA journal_mode = WAL');
  return { exec, close };
}
