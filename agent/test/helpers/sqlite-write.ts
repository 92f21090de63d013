// Writing the SQLite stores the collectors read (the tools' side of the file), with the
// sqlite3 package the server uses: a connection with promise helpers.
import sqlite3 from 'sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export async function openDb(path: string) {
  mkdirSync(dirname(path), { recursive: true });
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(d)));
  });
  const exec = (sql: string, params: unknown[] = []) => new Promise<void>((resolve, reject) => {
    db.run(sql, params, (err) => (err ? reject(err) : resolve()));
  });
  const close = () => new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
  return { exec, close };
}
