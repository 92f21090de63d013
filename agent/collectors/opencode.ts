// OpenCode (FORMATS.md §3.2): the SQLite store <data>/opencode*.db (table message(id,
// session_id, data)) read with node:sqlite where this Node has it (22.5+), and the legacy
// JSON store <data>/storage/message/<sessionID>/<messageID>.json. Rows and files describe
// the same messages; both give the same event id, so a message counts once.
//
// `tokens.input` is already uncached. Whether `tokens.reasoning` is inside `output`
// depends on the provider and AI-SDK version: when `tokens.total` shows it was counted
// separately (total = input + output + reasoning + cache), it is added to output.
// A message is sent once it is completed (`time.completed`) or has been quiet a while.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import type { WireEvent } from '../wire.ts';
import { eventId, sessionHash } from '../ids.ts';
import { findFiles, readWhole, unchanged } from './files.ts';
import { cleanName, num, tsOf, type Collector, type ScanContext } from './context.ts';
import { o, safeParse, type Rec } from './json.ts';


export function opencodeEvent(msg: Rec, salt: Buffer, sessionFallback?: string): WireEvent | null {
  if (msg.role !== 'assistant' || typeof msg.id !== 'string') return null;
  const t = o(msg.tokens);
  if (!t) return null;
  const cache = o(t.cache);
  let input = num(t.input);
  let output = num(t.output);
  const reasoning = num(t.reasoning);
  const read = num(cache?.read);
  const write = num(cache?.write);
  const total = num(t.total);
  if (reasoning && total && total === input + output + reasoning + read + write) output += reasoning;
  if (!input && !output && !read && !write && total) output = total; // only a total was stored
  if (!input && !output && !read && !write) return null;
  const time = o(msg.time);
  const ts = tsOf(time?.created);
  if (ts === null) return null;
  const sid = typeof msg.sessionID === 'string' ? msg.sessionID : sessionFallback;
  const ev: WireEvent = {
    ts, provider: cleanName(msg.providerID), model: cleanName(msg.modelID), is_local: false,
    input_tokens: input, output_tokens: output, cache_read_tokens: read, cache_write_tokens: write,
    id: eventId('oc', msg.id), source: 'opencode',
  };
  if (sid) ev.session = sessionHash(salt, sid);
  return ev;
}

function done(msg: Rec, settled: boolean): boolean {
  return settled || tsOf(o(msg.time)?.completed) !== null || typeof msg.finish === 'string';
}

export interface SqliteDb {
  prepare(sql: string): { all(...params: unknown[]): Array<Record<string, unknown>> };
  close(): void;
}

/** node:sqlite's DatabaseSync when this Node has it (22.5+); null on Node 20. */
export function sqliteOpener(): ((path: string) => SqliteDb) | null {
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
    return (path) => new mod.DatabaseSync(path, { readOnly: true });
  } catch {
    return null;
  }
}

export function sqliteAvailable(): boolean {
  return sqliteOpener() !== null;
}

interface DbState {
  sent: string[];
  /** Some message was held back (not finished, database not yet quiet): read again even if unchanged. */
  held?: boolean;
  /** The -wal file's mtime when last read (0: none). */
  wal?: number;
}

export const opencode: Collector = {
  source: 'opencode',
  scan(ctx: ScanContext): WireEvent[] {
    const out = new Map<string, WireEvent>();
    const keep = (e: WireEvent | null): void => {
      if (e && (ctx.sinceMs === null || e.ts >= ctx.sinceMs) && !out.has(e.id!)) out.set(e.id!, e);
    };
    const open = sqliteOpener();
    for (const root of ctx.roots.opencode) {
      // The SQLite store first: its rows win over the legacy files.
      let dbs: string[] = [];
      try {
        dbs = readdirSync(root).filter((f) => /^opencode.*\.db$/.test(f)).map((f) => join(root, f));
      } catch {
        dbs = [];
      }
      for (const db of open ? dbs : []) {
        const stat = statSync(db);
        const cursor = ctx.cursors.get(db);
        // The WAL file changes while the .db does not: look at both.
        const walMtime = (() => { try { return statSync(`${db}-wal`).mtimeMs; } catch { return 0; } })();
        const settled = ctx.now - Math.max(stat.mtimeMs, walMtime) >= ctx.settleMs;
        const last = cursor?.state as DbState | undefined;
        // A message left unfinished (a crash mid-answer) is sent once the database has been
        // quiet a while, and that needs no write to it: only skip when nothing was held back.
        if (unchanged(cursor, stat) && walMtime === (last?.wal ?? 0) && !last?.held) continue;
        const sent = new Set(last?.sent ?? []);
        let held = false;
        try {
          const conn = open!(db);
          try {
            for (const row of conn.prepare('SELECT id, session_id, data FROM message').all()) {
              const msg = o(safeParse(typeof row.data === 'string' ? row.data : null));
              if (!msg) continue;
              if (typeof msg.id !== 'string' && typeof row.id === 'string') msg.id = row.id;
              const id = typeof msg.id === 'string' ? msg.id : null;
              if (!id || sent.has(id) || msg.role !== 'assistant') continue;
              if (!done(msg, settled)) {
                held = true;
                continue;
              }
              const e = opencodeEvent(msg, ctx.salt, typeof row.session_id === 'string' ? row.session_id : undefined);
              if (e) {
                sent.add(id);
                keep(e);
              }
            }
          } finally {
            conn.close();
          }
        } catch {
          continue; // locked or not an OpenCode database; try again next scan
        }
        ctx.cursors.set(db, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size, state: { sent: [...sent], held, wal: walMtime } satisfies DbState });
      }

      const files = findFiles(join(root, 'storage', 'message'), (name) => name.endsWith('.json'));
      for (const { path, stat } of files) {
        const cursor = ctx.cursors.get(path);
        if (unchanged(cursor, stat) && (cursor!.state as { done?: boolean } | undefined)?.done) continue;
        const msg = o(safeParse(readWhole(path)));
        const settled = ctx.now - stat.mtimeMs >= ctx.settleMs;
        const finished = !!msg && done(msg, settled);
        if (msg && finished) keep(opencodeEvent(msg, ctx.salt));
        ctx.cursors.set(path, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size, state: { done: finished || !msg } });
      }
    }
    return [...out.values()];
  },
};
