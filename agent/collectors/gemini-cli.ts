// Gemini CLI chat recordings (FORMATS.md §3.1): <tmp>/<projectHash>/chats/session-*.jsonl
// (subagents: chats/<parentSessionId>/<sessionId>.jsonl) and the legacy whole-file
// session-*.json. Usage is on `type: "gemini"` messages as `tokens`.
//
// Traps handled:
// - a message id is re-appended in full whenever it changes: the last occurrence wins;
// - `{"$rewindTo": id}` drops that message and everything after it (an unknown id drops all);
// - `{"$set": {"messages": [...]}}` carries messages too (they are upserted; a compression
//   rewriting the context does not un-spend tokens, so nothing is dropped for it);
// - `input` includes `cached`: uncached = input − cached (+ tool-use prompt tokens);
//   thoughts are output.
// The last message of a recording still being written is held until it is quiet.
import type { WireEvent } from '../wire.ts';
import { eventId, sessionHash, sessionKey } from '../ids.ts';
import { findFiles, readLines, readWhole, sameFile, unchanged } from './files.ts';
import { cleanName, num, tsOf, type Collector, type ScanContext } from './context.ts';
import { o, safeParse, type Rec } from './json.ts';


interface FileState {
  /** sessionKey() and sessionHash() of the session id (the raw id is never kept). */
  sid?: { key: string; hash: string };
  /** Messages read but not yet sent (only the last one of a growing file), in order. */
  pending?: [string, Rec][];
  /** Legacy .json files are re-read whole: the ids already sent. */
  sent?: string[];
}

export interface SessionRef {
  key: string;
  hash: string;
}

export function sessionRef(raw: string, salt: Buffer): SessionRef {
  return { key: sessionKey(raw), hash: sessionHash(salt, raw) };
}

export function messageEvent(sid: SessionRef, msg: Rec): WireEvent | null {
  if (msg.type !== 'gemini' || typeof msg.id !== 'string') return null;
  const t = o(msg.tokens);
  const ts = tsOf(msg.timestamp);
  if (!t || ts === null) return null;
  const input = num(t.input);
  const cached = Math.min(input, num(t.cached));
  const ev: WireEvent = {
    ts, provider: 'google', model: cleanName(msg.model), is_local: false,
    input_tokens: input - cached + num(t.tool), output_tokens: num(t.output) + num(t.thoughts),
    cache_read_tokens: cached, cache_write_tokens: 0,
    id: eventId('gm', sid.key, msg.id), source: 'gemini-cli', session: sid.hash,
  };
  return ev.input_tokens + ev.output_tokens + ev.cache_read_tokens === 0 ? null : ev;
}

/** Applies one JSONL record to the ordered message map. */
export function applyRecord(rec: Rec, messages: Map<string, Rec>, st: FileState, salt: Buffer): void {
  if (typeof rec.$rewindTo === 'string') {
    const ids = [...messages.keys()];
    const at = ids.indexOf(rec.$rewindTo);
    for (const id of at < 0 ? ids : ids.slice(at)) messages.delete(id);
    return;
  }
  if (typeof rec.id === 'string' && typeof rec.type === 'string') {
    messages.set(rec.id, rec);
    return;
  }
  const patch = o(rec.$set) ?? rec;
  if (typeof patch.sessionId === 'string' && st.sid === undefined) st.sid = sessionRef(patch.sessionId, salt);
  if (Array.isArray(patch.messages)) for (const m of patch.messages) if (o(m) && typeof m.id === 'string') messages.set(m.id, m);
}

export function chatFiles(roots: string[]) {
  const out = [];
  for (const root of roots) {
    out.push(...findFiles(root, (name, rel) => /(^|\/)chats(\/|$)/.test(rel) && (name.endsWith('.jsonl') || (name.startsWith('session-') && name.endsWith('.json')))));
  }
  return out;
}

export const geminiCli: Collector = {
  source: 'gemini-cli',
  scan(ctx: ScanContext): WireEvent[] {
    const out: WireEvent[] = [];
    const keep = (e: WireEvent | null): void => {
      if (e && (ctx.sinceMs === null || e.ts >= ctx.sinceMs)) out.push(e);
    };
    for (const { path, stat } of chatFiles(ctx.roots.gemini)) {
      const cursor = ctx.cursors.get(path);
      const resume = sameFile(cursor, stat);
      const prev = (resume ? cursor.state : undefined) as FileState | undefined;
      const settled = ctx.now - stat.mtimeMs >= ctx.settleMs;
      if (unchanged(cursor, stat) && !(prev?.pending?.length && settled)) continue;
      const base = { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };

      if (path.endsWith('.json')) {
        // Legacy: one JSON document rewritten whole on every change.
        const doc = o(safeParse(readWhole(path)));
        if (!doc || typeof doc.sessionId !== 'string' || !Array.isArray(doc.messages)) continue;
        const sent = new Set(prev?.sent ?? []);
        const msgs = doc.messages.filter((m): m is Rec => !!o(m));
        msgs.forEach((m, i) => {
          if (typeof m.id !== 'string' || sent.has(m.id)) return;
          if (!settled && i === msgs.length - 1) return; // may still change
          const e = messageEvent(sessionRef(doc.sessionId as string, ctx.salt), m);
          if (!e) return;
          sent.add(m.id);
          keep(e);
        });
        ctx.cursors.set(path, { ...base, offset: stat.size, state: { sent: [...sent] } satisfies FileState });
        continue;
      }

      const st: FileState = { sid: prev?.sid };
      const messages = new Map<string, Rec>(prev?.pending ?? []);
      const offset = readLines(path, resume ? cursor.offset : 0, stat.size, (text) => {
        const rec = o(safeParse(text));
        if (rec) applyRecord(rec, messages, st, ctx.salt);
      });
      const entries = [...messages.entries()];
      // Hold the newest message while the recording is still being written.
      const held = !settled && entries.length ? entries.splice(entries.length - 1, 1) : [];
      if (st.sid) for (const [, m] of entries) keep(messageEvent(st.sid, m));
      ctx.cursors.set(path, { ...base, offset, state: { sid: st.sid, pending: held } satisfies FileState });
    }
    return out;
  },
};
