// Google Antigravity (its CLI and IDE agents), FORMATS.md §8 / ccusage's antigravity
// adapter: one SQLite database per conversation, <root>/conversations/<uuid>.db, with a
// `gen_metadata` table holding one protobuf blob per model generation (the older .pb
// conversation files are encrypted and not read). Fields, as ccusage decodes them (no .proto
// is published): 1 → chat model { 19: model id, 9 → { 4: timestamp {1: s, 2: ns} },
// 4 → usage { 1: system-prompt input, 2: fresh input, 5: cache read, 9: output,
// 10: thinking, 11: response id } }. `trajectory_metadata_blob` field 2 is the
// conversation's start time, used when a generation has none.
//
// Token semantics: input = system-prompt + fresh input (neither cached); cache reads apart;
// thinking tokens are apart from output and are added to it. Traps handled: the same
// response id in two databases (a conversation copied into a backup root): one event;
// generations with no counts make none. Read with node:sqlite (sqlite.ts).
import { basename, join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash } from '../ids.ts';
import { findFiles } from './files.ts';
import { cleanName, num, type Collector, type ScanContext } from './context.ts';
import { EventSink } from './sink.ts';
import { readChangedStore, type SqliteDb } from './sqlite.ts';
import { providerOf } from './provider.ts';
import { int, sub, text } from './protobuf.ts';
import { pathList } from './locations.ts';

const ROOT_NAMES = ['antigravity', 'antigravity-cli', 'antigravity-ide', 'antigravity-backup'];

/**
 * Antigravity's data roots: ANTIGRAVITY_DATA_DIR (a comma list, as ccusage reads it), else
 * ~/.gemini/antigravity, -cli, -ide and -backup, with ~ replaced by GEMINI_CLI_HOME when set
 * (the Gemini-CLI home override Antigravity CLI honours; the same under the user profile on
 * every OS).
 */
export function antigravityRoots(env: Env, home: string): string[] {
  const given = pathList(env.ANTIGRAVITY_DATA_DIR);
  return given.length ? given : ROOT_NAMES.map((n) => join(env.GEMINI_CLI_HOME || home, '.gemini', n));
}

export interface Generation {
  model?: string;
  ts: number | null;
  /** [input, output (thinking included), cache read] */
  n: [number, number, number];
  response?: string;
}

function protoTime(buf: Uint8Array | null): number | null {
  if (!buf) return null;
  const s = int(buf, 1);
  return s ? s * 1000 + Math.floor(int(buf, 2) / 1e6) : null;
}

export function decodeGeneration(blob: Uint8Array): Generation {
  const chat = sub(blob, 1) ?? new Uint8Array();
  const usage = sub(chat, 4) ?? new Uint8Array();
  const info = sub(chat, 9);
  return {
    model: text(sub(chat, 19)),
    ts: protoTime(info && sub(info, 4)),
    n: [int(usage, 1) + int(usage, 2), int(usage, 9) + int(usage, 10), int(usage, 5)],
    response: text(sub(usage, 11)),
  };
}

const asBytes = (v: unknown): Uint8Array | null => (v instanceof Uint8Array ? v : null);

/** The conversation's start time (trajectory_metadata_blob field 2), when the store has one. */
function startOf(conn: SqliteDb): number | null {
  try {
    const tb = asBytes(conn.prepare('SELECT data FROM trajectory_metadata_blob LIMIT 1').all()[0]?.data);
    return tb ? protoTime(sub(tb, 2)) : null;
  } catch {
    return null;
  }
}

interface StoreState {
  /** The highest gen_metadata idx read. */
  idx: number;
}

/** The conversation databases under one root. */
const conversations = (root: string) => findFiles(join(root, 'conversations'), (n) => n.endsWith('.db'));

export const antigravity: Collector = {
  source: 'antigravity',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const root of ctx.roots.antigravity) {
      for (const db of conversations(root)) {
        const conversation = basename(db.path, '.db');
        readChangedStore<StoreState>(ctx.cursors, db.path, () => ({ idx: -1 }), (conn, st) => {
          const rows = conn.prepare('SELECT idx, data FROM gen_metadata WHERE idx > ? ORDER BY idx').all(st.idx);
          let started: number | null | undefined;
          for (const row of rows) {
            st.idx = Math.max(st.idx, num(row.idx));
            const blob = asBytes(row.data);
            if (!blob) continue;
            const g = decodeGeneration(blob);
            if (g.ts === null && started === undefined) started = startOf(conn);
            const model = cleanName(g.model);
            sink.add({
              ts: g.ts ?? started ?? Math.floor(db.stat.mtimeMs), provider: providerOf(model, undefined, 'google'), model, is_local: false,
              input_tokens: g.n[0], output_tokens: g.n[1], cache_read_tokens: g.n[2], cache_write_tokens: 0,
              id: g.response ? eventId('ag', g.response) : eventId('ag', conversation, num(row.idx)),
              source: 'antigravity', session: sessionHash(ctx.salt, conversation),
            });
          }
        });
      }
    }
    return sink.events();
  },
  sqliteStores: (roots) => roots.antigravity.flatMap((root) => conversations(root).map((f) => f.path)),
};
