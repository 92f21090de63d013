// Online SQLite backup: a consistent copy taken while the server keeps running.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from './connect.ts';
import { BadInput } from '../errors.ts';

interface Backup { step(pages: number, cb: (err: Error | null) => void): void; finish(cb?: () => void): void; completed: boolean; failed: boolean }

export async function backupTo(db: Db, file: string): Promise<string> {
  if (db.dialect !== 'sqlite') throw new BadInput('backup: only for SQLite; use pg_dump for PostgreSQL');
  const dest = resolve(file);
  if (existsSync(dest)) throw new BadInput(`backup: ${dest} already exists; choose a new file name`);
  const conn = await (db.sequelize.connectionManager as unknown as { getConnection(o?: unknown): Promise<{ backup(f: string, cb: (e: Error | null) => void): Backup }> }).getConnection();
  await new Promise<void>((ok, fail) => {
    const b = conn.backup(dest, (err) => {
      if (err) return fail(err);
      b.step(-1, (stepErr) => {
        b.finish();
        if (stepErr || !b.completed) fail(stepErr ?? new Error('backup did not complete'));
        else ok();
      });
    });
  });
  return dest;
}
