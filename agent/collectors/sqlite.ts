// node:sqlite, shared by the collectors whose tools keep a SQLite store (OpenCode, Kilo CLI,
// Goose, Hermes, OpenClaw, Antigravity, ZCode). It exists from Node 22.5; on Node 20 those
// stores are skipped and named once in `collect`, `status` and `run` (DESIGN "Agent"; each
// such collector lists its stores in `sqliteStores`, collectors/index.ts words the notice).
// Stores are opened read-only: the tool may be writing to them (WAL), and a reader sees the
// last committed state, never a row half-written.
import { createRequire, isBuiltin } from 'node:module';
import type { Stats } from 'node:fs';
import { statOrNull, unchanged } from './files.ts';
import type { Cursors } from './context.ts';

export interface SqliteDb {
  prepare(sql: string): { all(...params: unknown[]): Array<Record<string, unknown>> };
  close(): void;
}

let opener: ((path: string) => SqliteDb) | null | undefined;

/** node:sqlite's DatabaseSync when this Node has it (22.5+); null on Node 20. */
export function sqliteOpener(): ((path: string) => SqliteDb) | null {
  if (opener !== undefined) return opener;
  // Asked first: on Node 20 the failing require below costs an error and its stack trace
  // (half a millisecond of every `collect`).
  if (!isBuiltin('node:sqlite')) return (opener = null);
  try {
    const require = createRequire(import.meta.url);
    // Read through a variable so bundlers and the type checker leave it alone.
    const name = 'node:sqlite';
    // Node 22 warns on stderr that SQLite is experimental each time the agent starts; it is
    // not the user's concern (the store is only read), so that one warning is kept quiet.
    const emit = process.emitWarning;
    process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
      if (!/SQLite/i.test(String(w))) (emit as (...a: unknown[]) => void).call(process, w, ...rest);
    }) as typeof process.emitWarning;
    let mod;
    try {
      mod = require(name) as { DatabaseSync: new (path: string, opts: { readOnly: boolean }) => SqliteDb };
    } finally {
      process.emitWarning = emit;
    }
    opener = (path) => new mod.DatabaseSync(path, { readOnly: true });
  } catch {
    opener = null;
  }
  return opener;
}

export function sqliteAvailable(): boolean {
  return sqliteOpener() !== null;
}

/** The -wal file's mtime (0: none). A WAL store changes there while the .db file does not. */
export function walMtime(db: string): number {
  return statOrNull(`${db}-wal`)?.mtimeMs ?? 0;
}

/** Runs `read` on the store opened read-only; false when it could not be read (locked, not that tool's store). */
export function readStore(path: string, read: (db: SqliteDb) => void): boolean {
  const open = sqliteOpener();
  if (!open) return false;
  try {
    const db = open(path);
    try {
      read(db);
    } finally {
      db.close();
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * The rows of a table with an `id` column (a non-empty string), reading only the wanted
 * columns the table has: the tools add columns from version to version.
 */
export function rowsWithId(db: SqliteDb, table: string, wanted: string[]): Array<Record<string, unknown> & { id: string }> {
  const have = columnsOf(db, table);
  if (!have.has('id')) return [];
  const cols = wanted.filter((c) => have.has(c));
  return db.prepare(`SELECT ${cols.join(', ')} FROM ${table}`).all()
    .filter((r): r is Record<string, unknown> & { id: string } => typeof r.id === 'string' && r.id !== '');
}

/** The columns a table has (schemas grow between versions), empty when there is no such table. */
export function columnsOf(db: SqliteDb, table: string): Set<string> {
  try {
    return new Set(db.prepare(`PRAGMA table_info(${table})`).all().map((r) => String(r.name)));
  } catch {
    return new Set();
  }
}

/** The paths that are files here. */
export function existingFiles(paths: string[]): string[] {
  return paths.filter((p) => statOrNull(p)?.isFile() === true);
}

/** What a store's cursor keeps: the -wal's mtime when last read, and the collector's own state (no raw ids). */
interface StoreCursor<S> {
  wal: number;
  s?: S;
}

/**
 * A store that changed since it was last read (its .db or its -wal), with the state the
 * collector kept at that read and `done(state)` to record this one in the cursors; null when
 * nothing changed (or there is no such file).
 */
export function changedStore<S = never>(cursors: Cursors, db: string): { stat: Stats; wal: number; state: S | undefined; done(state?: S): void } | null {
  const stat = statOrNull(db);
  if (!stat) return null;
  const cursor = cursors.get(db);
  const last = cursor?.state as StoreCursor<S> | undefined;
  const wal = walMtime(db);
  if (unchanged(cursor, stat) && wal === (last?.wal ?? 0)) return null;
  return {
    stat, wal, state: last?.s,
    done: (s) => cursors.set(db, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size, state: (s === undefined ? { wal } : { wal, s }) satisfies StoreCursor<S> }),
  };
}

/**
 * Reads a store that changed since the last scan with the collector's state for it: `read`
 * updates the state, which is saved only when the whole read succeeded, so a store that could
 * not be read (locked, not this tool's) is tried again next scan from where it was. For
 * stores whose rows are only ever added or completed (Antigravity, ZCode, OpenClaw): the
 * state is kept even when the file is replaced.
 */
export function readChangedStore<S>(cursors: Cursors, path: string, init: () => S, read: (db: SqliteDb, state: S) => void): void {
  if (!sqliteAvailable()) return;
  const changed = changedStore<S>(cursors, path);
  if (!changed) return;
  const state = changed.state === undefined ? init() : structuredClone(changed.state);
  if (readStore(path, (db) => read(db, state))) changed.done(state);
}
