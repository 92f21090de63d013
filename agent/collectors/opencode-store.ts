// The OpenCode store format (FORMATS.md §3.2), shared by OpenCode and its fork Kilo CLI: a
// SQLite store <data>/<name>*.db (table message(id, session_id, data)) read with node:sqlite
// where this Node has it (22.5+), and the legacy JSON store
// <data>/storage/message/<sessionID>/<messageID>.json. Rows and files describe the same
// messages; both give the same event id, so a message counts once.
//
// `tokens.input` is already uncached. Whether `tokens.reasoning` is inside `output`
// depends on the provider and AI-SDK version: when `tokens.total` shows it was counted
// separately (total = input + output + reasoning + cache), it is added to output.
// A message is sent once it is completed (`time.completed`) or has been quiet a while.
import { join } from 'node:path';
import { statSync } from 'node:fs';
import type { WireEvent } from '../wire.ts';
import { eventId, sessionHash } from '../ids.ts';
import { fileNames, readWhole, unchanged } from './files.ts';
import { eachUnfinishedFile } from './final-files.ts';
import { cleanName, num, tsOf, type ScanContext, type Source } from './context.ts';
import { o, safeParse, type Rec } from './json.ts';
import { readStore, sqliteAvailable, walMtime } from './sqlite.ts';

/** What tells one OpenCode-format tool from another. */
export interface StoreFormat {
  source: Source;
  /** Event id namespace (`oc` for OpenCode). */
  prefix: string;
  /** File names of the SQLite store in the data directory. */
  db: RegExp;
}

export const OPENCODE_FORMAT: StoreFormat = { source: 'opencode', prefix: 'oc', db: /^opencode.*\.db$/ };

export function storeEvent(msg: Rec, salt: Buffer, sessionFallback: string | undefined, fmt: StoreFormat): WireEvent | null {
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
    id: eventId(fmt.prefix, msg.id), source: fmt.source,
  };
  if (sid) ev.session = sessionHash(salt, sid);
  return ev;
}

function done(msg: Rec, settled: boolean): boolean {
  return settled || tsOf(o(msg.time)?.completed) !== null || typeof msg.finish === 'string';
}

interface FileState {
  /** Nothing more to send from this file unless it changes. */
  done: boolean;
  /** Read whole and finished: a rewrite can only repeat its event id (final-files.ts). Absent in older agents' cursors. */
  final?: boolean;
}

interface DbState {
  /** The event ids of the messages sent (digests: the state dir keeps no raw ids). */
  sent: string[];
  /** Some message was held back (not finished, database not yet quiet): read again even if unchanged. */
  held?: boolean;
  /** The -wal file's mtime when last read (0: none). */
  wal?: number;
}

/** The SQLite stores in these data directories (whether or not this Node can read them). */
export function storeFiles(roots: string[], fmt: StoreFormat): string[] {
  // No such directory: the tool is not installed here.
  return roots.flatMap((root) => fileNames(root).filter((f) => fmt.db.test(f)).map((f) => join(root, f)));
}

/** One scan of the tool's data directories: finished assistant messages not sent before. */
export function scanStore(ctx: ScanContext, roots: string[], fmt: StoreFormat): WireEvent[] {
  const out = new Map<string, WireEvent>();
  const keep = (e: WireEvent | null): void => {
    if (e && (ctx.sinceMs === null || e.ts >= ctx.sinceMs) && !out.has(e.id!)) out.set(e.id!, e);
  };
  const canRead = sqliteAvailable();
  for (const root of roots) {
    // The SQLite store first: its rows win over the legacy files.
    for (const db of canRead ? storeFiles([root], fmt) : []) {
      const stat = statSync(db);
      const cursor = ctx.cursors.get(db);
      // The WAL file changes while the .db does not: look at both.
      const wal = walMtime(db);
      const settled = ctx.now - Math.max(stat.mtimeMs, wal) >= ctx.settleMs;
      const last = cursor?.state as DbState | undefined;
      // A message left unfinished (a crash mid-answer) is sent once the database has been
      // quiet a while, and that needs no write to it: only skip when nothing was held back.
      if (unchanged(cursor, stat) && wal === (last?.wal ?? 0) && !last?.held) continue;
      // Older agents kept the raw message ids here: they become the event ids they stand for.
      const ids = new RegExp(`^${fmt.prefix}-[0-9a-f]{40}$`);
      const sent = new Set((last?.sent ?? []).map((s) => (ids.test(s) ? s : eventId(fmt.prefix, s))));
      let held = false;
      const read = readStore(db, (conn) => {
        for (const row of conn.prepare('SELECT id, session_id, data FROM message').all()) {
          const msg = o(safeParse(typeof row.data === 'string' ? row.data : null));
          if (!msg) continue;
          if (typeof msg.id !== 'string' && typeof row.id === 'string') msg.id = row.id;
          const id = typeof msg.id === 'string' ? msg.id : null;
          if (!id || sent.has(eventId(fmt.prefix, id)) || msg.role !== 'assistant') continue;
          if (!done(msg, settled)) {
            held = true;
            continue;
          }
          const e = storeEvent(msg, ctx.salt, typeof row.session_id === 'string' ? row.session_id : undefined, fmt);
          if (e) {
            sent.add(e.id!);
            keep(e);
          }
        }
      });
      if (!read) continue; // locked or not this tool's database; try again next scan
      ctx.cursors.set(db, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size, state: { sent: [...sent], held, wal } satisfies DbState });
    }

    eachUnfinishedFile(ctx, join(root, 'storage', 'message'), (name) => name.endsWith('.json'), ({ path, stat }) => {
      const cursor = ctx.cursors.get(path);
      const last = cursor?.state as FileState | undefined;
      const same = unchanged(cursor, stat);
      if (same && last?.done && last.final !== undefined) return last.final;
      const msg = o(safeParse(readWhole(path)));
      const settled = ctx.now - stat.mtimeMs >= ctx.settleMs;
      const finished = !!msg && done(msg, settled);
      // An older agent's cursor says only `done`: what the file held was handled then; it
      // is read once more only to learn whether it parses (is final).
      if (msg && finished && !(same && last?.done)) keep(storeEvent(msg, ctx.salt, undefined, fmt));
      // A file that does not parse is read again once it changes; its directory stays listed.
      const state: FileState = { done: finished || !msg, final: finished };
      ctx.cursors.set(path, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size, state });
      return finished;
    });
  }
  return [...out.values()];
}
