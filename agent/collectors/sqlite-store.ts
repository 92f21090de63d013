// The read loop shared by the SQLite stores among the CLI tools (Antigravity's conversation
// databases, ZCode's usage database, OpenClaw's agent database), read with node:sqlite like
// opencode.ts does (Node 22.5+; on an older Node they are skipped). A store is read again
// only when the database or its -wal file changed; what was already sent is remembered in
// the store's cursor state (ids or positions, never raw session ids).
import { existsSync, statSync } from 'node:fs';
import type { ScanContext, Source } from './context.ts';
import { sqliteOpener, type SqliteDb } from './opencode.ts';

interface StoreState<S> {
  wal: number;
  s: S;
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Runs `read` on the store at `path` when it changed since the last scan; `read` updates
 * the collector state it is given. Without node:sqlite an existing store names its source in
 * `ctx.unreadable`, so `collect` can say what it skipped. A store that cannot be opened or queried (locked, not
 * this tool's) is tried again next scan, its state untouched.
 */
export function readStore<S>(ctx: ScanContext, source: Source, path: string, init: () => S, read: (db: SqliteDb, state: S) => void): void {
  const open = sqliteOpener();
  if (!open) {
    if (existsSync(path)) ctx.unreadable?.add(source);
    return;
  }
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return;
  }
  const cursor = ctx.cursors.get(path);
  const last = cursor?.state as StoreState<S> | undefined;
  const wal = mtime(`${path}-wal`);
  if (cursor && cursor.dev === stat.dev && cursor.ino === stat.ino && cursor.size === stat.size && cursor.mtimeMs === stat.mtimeMs && (last?.wal ?? 0) === wal) return;
  // Rows are only ever added or completed in these stores: the state survives a changed inode.
  const state: S = last ? structuredClone(last.s) : init();
  try {
    const db = open(path);
    try {
      read(db, state);
    } finally {
      db.close();
    }
  } catch {
    return;
  }
  ctx.cursors.set(path, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size, state: { wal, s: state } satisfies StoreState<S> });
}

/** The table's column names (empty when it does not exist), for stores whose schema moved between versions. */
export function columns(db: SqliteDb, table: string): Set<string> {
  try {
    return new Set(db.prepare(`PRAGMA table_info(${table})`).all().map((r) => String(r.name)));
  } catch {
    return new Set();
  }
}
