// Claude Code transcripts (FORMATS.md §1): projects/<encoded-cwd>/<sessionId>.jsonl and the
// nested subagent files below <sessionId>/. Only assistant lines (and the older `progress`
// lines embedding a subagent's assistant record) carry message.usage.
//
// Traps handled, following ccusage's algorithm:
// - one line per content block of a streamed message, repeating message.id + requestId
//   with a growing output_tokens: one event per message, the largest snapshot wins; the
//   last message of a log still being written is held until the log is quiet;
// - resumed sessions copy earlier messages into a new file: same message.id, same event id;
// - sidechain replays (/btw) repeat a parent message.id under a new requestId with
//   inflated cache reads: duplicate, the non-sidechain copy wins;
// - `<synthetic>` messages (local error notices) are skipped;
// - malformed, half-written or null-carrying lines are skipped (ccusage's validity filters).
import type { WireEvent } from '../wire.ts';
import { anthropicMessageId, eventId, sessionHash } from '../ids.ts';
import { findFiles, readLineBytes, sameFile, unchanged, type FileCursor } from './files.ts';
import { leanLine } from './lean-line.ts';
import { cleanName, num, tsOf, type Collector, type ScanContext } from './context.ts';
import { o, type Rec } from './json.ts';

const NEEDLE = [Buffer.from('"usage":{')];
const VERSION_RE = /^\d+\.\d+\.\d+/;

/** One message's best snapshot so far. */
export interface Entry {
  key: string | null;
  requestId: string | null;
  sidechain: boolean;
  total: number;
  hasSpeed: boolean;
  event: WireEvent;
}


/** The assistant record a line carries (itself, or the one a `progress` line embeds), or null. */
function assistantRecord(line: Rec): { rec: Rec; sessionId: unknown; sidechain: boolean } | null {
  if (line.type === 'assistant') return { rec: line, sessionId: line.sessionId, sidechain: line.isSidechain === true };
  if (line.type === 'progress') {
    const inner = o(o(line.data)?.message);
    if (inner && inner.type === 'assistant') return { rec: inner, sessionId: inner.sessionId ?? line.sessionId, sidechain: true };
  }
  return null;
}

/** Parses one transcript line into a usage entry; null for anything that is not one (or fails the filters). */
export function entryOf(text: string, salt: Buffer): Entry | null {
  let line: Rec;
  try {
    line = JSON.parse(text) as Rec;
  } catch {
    return null; // half-written or malformed
  }
  const found = o(line) && assistantRecord(line);
  if (!found) return null;
  const { rec, sidechain } = found;
  const message = o(rec.message);
  const usage = o(message?.usage);
  if (!message || !usage) return null;
  // ccusage's validity filters: present-but-null fields, empty ids, odd versions. (Written
  // out field by field: this runs for every usage line of every log.)
  if (rec.cwd === null || rec.version === null || rec.sessionId === null || rec.requestId === null || rec.isApiErrorMessage === null || rec.costUSD === null) return null;
  if (message.id === null || message.model === null) return null;
  if (usage.speed === null || usage.cache_read_input_tokens === null || usage.cache_creation_input_tokens === null) return null;
  if (typeof rec.version === 'string' && !VERSION_RE.test(rec.version)) return null;
  if (rec.sessionId === '' || rec.requestId === '' || message.id === '' || message.model === '') return null;
  const model = message.model;
  if (model === '<synthetic>') return null;
  const ts = tsOf(rec.timestamp);
  if (ts === null) return null;

  const creation = o(usage.cache_creation);
  const cacheWrite = creation ? num(creation.ephemeral_5m_input_tokens) + num(creation.ephemeral_1h_input_tokens) : num(usage.cache_creation_input_tokens);
  // The 1-hour part only where the log names it (older logs have no TTL split).
  const cacheWrite1h = creation && 'ephemeral_1h_input_tokens' in creation ? num(creation.ephemeral_1h_input_tokens) : null;
  const input = num(usage.input_tokens);
  const output = num(usage.output_tokens);
  const cacheRead = num(usage.cache_read_input_tokens);
  const messageId = typeof message.id === 'string' ? message.id : null;
  const requestId = typeof rec.requestId === 'string' ? rec.requestId : null;
  const rawSession = typeof found.sessionId === 'string' ? found.sessionId : null;
  const event: WireEvent = {
    ts, provider: 'anthropic', model: cleanName(model), is_local: false,
    input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite,
    ...(cacheWrite1h === null ? {} : { cache_write_1h_tokens: cacheWrite1h }),
    // Lines without message.id are never merged (ccusage): their own uuid keys them. With a
    // message.id the id is derived once the message's lines are merged (see `scan`): a
    // streamed message has a line per content block and only one of them is sent.
    id: messageId ? undefined : eventId('cc', rawSession ?? '', String(rec.uuid ?? ''), ts, input, output),
    source: 'claude-code',
  };
  if (rawSession) event.session = sessionHash(salt, rawSession);
  const skills = skillsOf(message.content);
  if (skills.length) event.skills = skills;
  return {
    key: messageId, requestId, sidechain, hasSpeed: typeof usage.speed === 'string',
    total: input + output + cacheRead + cacheWrite, event,
  };
}

/** Skill names from `Skill` tool uses (plugin skills are `plugin:skill`). */
function skillsOf(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const block of content) {
    const b = o(block);
    if (!b || b.type !== 'tool_use' || b.name !== 'Skill') continue;
    const name = o(b.input)?.skill;
    if (typeof name !== 'string') continue;
    const clean = cleanName(name, '');
    if (clean && [...clean].length <= 64 && !out.includes(clean)) out.push(clean);
  }
  return out;
}

/** Whether `cand` should replace `cur` for the same message id (ccusage §1.4). */
export function better(cand: Entry, cur: Entry): boolean {
  if (cand.requestId !== cur.requestId && (cand.sidechain || cur.sidechain)) {
    // A sidechain replay of a parent message: the parent's copy wins.
    return cur.sidechain && !cand.sidechain;
  }
  if (!cand.sidechain && cur.sidechain) return true;
  if (cand.sidechain && !cur.sidechain) return false;
  if (cand.total !== cur.total) return cand.total > cur.total;
  return cand.hasSpeed && !cur.hasSpeed;
}

function merge(into: Entry, from: Entry): Entry {
  const winner = better(from, into) ? from : into;
  // Skill uses are collected across all the lines of one message (one line per block).
  if (into.event.skills || from.event.skills) {
    winner.event.skills = [...new Set([...(into.event.skills ?? []), ...(from.event.skills ?? [])])].slice(0, 32);
  }
  return winner;
}

interface FileState {
  /** The last message of a log still being written, held until the log is quiet. */
  held?: Entry;
}

export function transcriptFiles(roots: string[]): { path: string; stat: import('node:fs').Stats }[] {
  const out = [];
  for (const root of roots) {
    // journal.jsonl under subagents/ is workflow metadata, not a transcript.
    out.push(...findFiles(root, (name) => name.endsWith('.jsonl') && name !== 'journal.jsonl'));
  }
  return out;
}

export const claudeCode: Collector = {
  source: 'claude-code',
  scan(ctx: ScanContext): WireEvent[] {
    const byKey = new Map<string, Entry>();
    const loose: Entry[] = [];
    const add = (e: Entry): void => {
      if (e.key === null) {
        loose.push(e);
        return;
      }
      const cur = byKey.get(e.key);
      byKey.set(e.key, cur ? merge(cur, e) : e);
    };
    const files = transcriptFiles(ctx.roots.claude);
    for (const { path, stat } of files) {
      const cursor = ctx.cursors.get(path);
      const state = (sameFile(cursor, stat) ? cursor.state : undefined) as FileState | undefined;
      const settled = ctx.now - stat.mtimeMs >= ctx.settleMs;
      if (unchanged(cursor, stat) && !(state?.held && settled)) continue;
      if (ctx.sinceMs !== null && stat.mtimeMs < ctx.sinceMs) continue;
      const start = sameFile(cursor, stat) ? cursor.offset : 0;
      let last: Entry | null = state?.held ?? null;
      if (last) add(last);
      const offset = readLineBytes(path, start, stat.size, (buf, from, to) => {
        const e = entryOf(leanLine(buf, from, to), ctx.salt);
        if (!e) return;
        add(e);
        last = e;
      }, NEEDLE);
      const next: FileCursor = { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset };
      const lastEntry = last as Entry | null;
      if (lastEntry && !settled && lastEntry.key !== null) {
        // Still growing: this message may get more lines; send it once the log is quiet.
        const held = byKey.get(lastEntry.key)!;
        byKey.delete(lastEntry.key);
        next.state = { held } satisfies FileState;
      }
      ctx.cursors.set(path, next);
    }
    const out: WireEvent[] = [];
    for (const e of [...byKey.values(), ...loose]) {
      if (ctx.sinceMs !== null && e.event.ts < ctx.sinceMs) continue;
      if (e.key !== null) e.event.id = anthropicMessageId(e.key);
      out.push(e.event);
    }
    return out;
  },
};
