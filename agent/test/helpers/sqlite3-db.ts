// A store written the way the tools write theirs: the sqlite3 package (the server's driver),
// one connection kept open as the tool keeps it, WAL when asked.
import sqlite3 from 'sqlite3';

export interface TestDb {
  exec(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export async function openDb(path: string): Promise<TestDb> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(d)));
  });
  const exec = (sql: string, params: unknown[] = []) => new Promise<void>((resolve, reject) => {
    db.run(sql, params, (err) => (err ? reject(err) : resolve()));
  });
  const close = () => new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
  return { exec, close };
}
