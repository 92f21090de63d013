// VS Code Copilot Chat (source `copilot-vscode`): the chat sessions VS Code itself stores,
// <User>/workspaceStorage/<workspace>/chatSessions/<sessionId>.jsonl (an empty window's in
// <User>/globalStorage/emptyWindowChatSessions, a session moving between windows briefly in
// transferredChatSessions), and the older whole-document <sessionId>.json.
//
// The .jsonl file is an operation log (vscode chat/common/model/objectMutationLog.ts):
// {kind: 0, v: the whole session} first, then {kind: 1, k: path, v} sets,
// {kind: 2, k: path, v?: items, i?: cut} array pushes (`i` cuts the array there first: an
// undone or edited request is removed) and {kind: 3, k: path} deletes. After 1024 entries
// VS Code rewrites the file as one new kind-0 line. Only sessions[].requests matter here.
//
// What the files keep of token counts is partial, and nothing more is counted:
// - a request's `result.metadata` (written by the Copilot Chat extension) has
//   `promptTokens`/`outputTokens` only for Anthropic-family models (copilot-chat
//   toolCallingLoop.ts, AnthropicTokenUsageMetadata), and only for the LAST model call of
//   the request's agent loop; `promptTokens` is the whole prompt (input + cache writes +
//   cache reads, messagesApi.ts) with no cache split, so it is sent as input;
// - `toolCallRounds[].thinking.tokens` is each call's reasoning tokens (output): those of
//   the calls before the last are added (the last call's are inside outputTokens);
// - `summaries[]` (and the older `summary`) are conversation-compaction calls with their
//   own usage {prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens}: one
//   event each, cache split out;
// - no ids but the request's: one event per request (plus its summaries), id from the
//   session id and request id. A session copied to another workspace's folder (VS Code
//   copies on a workspace change and keeps the original) has the same ids: counted once.
// Requests are accounted for up to a watermark (request timestamp) per session.
import { closeSync, openSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash, sessionKey } from '../ids.ts';
import { fileNames, isDir, readLines, readWhole, sameFile, statOrNull, subdirs, unchanged } from './files.ts';
import { cleanName, num, tsOf, type Collector, type ScanContext } from './context.ts';
import { o, type Rec, safeParse, str } from './json.ts';
import { splitEvent } from './split.ts';
import { editorUserDirs, type EditorRoots } from './vscode-dirs.ts';
import { providerOf } from './provider.ts';

export function copilotVscodeRoots(env: Env, home: string, platform: NodeJS.Platform = process.platform): EditorRoots {
  return { editors: editorUserDirs(env, home, platform), stores: [] };
}

/** What a finished request leaves for counting. */
interface Done {
  /** Digest of the request id (the state dir keeps no raw ids). */
  id: string;
  ts: number;
  model: string;
  input: number;
  output: number;
  summaries: { model: string; prompt: number; cached: number; output: number }[];
}

/** A request still waiting for its result. */
interface Open {
  id?: string;
  ts?: number;
  model?: string;
}

interface LogState {
  /** Length of the requests array, and the requests (by index) still waiting for a result. */
  n: number;
  open: Record<string, Open>;
  /** Byte length of the first line: a rewritten (compacted) log has another. */
  first?: number;
}

/** The counts a request's result carries, or null when it carries none. */
export function resultUsage(result: unknown, req: Open): Done | null {
  const meta = o(o(result)?.metadata);
  if (!meta || !req.id || req.ts === undefined) return null;
  const rounds = Array.isArray(meta.toolCallRounds) ? meta.toolCallRounds : [];
  const thinking = rounds.map((r) => num(o(o(r)?.thinking)?.tokens));
  const hasOutput = typeof meta.outputTokens === 'number';
  // The last call's reasoning is inside outputTokens; without outputTokens every call's counts.
  const earlier = (hasOutput ? thinking.slice(0, -1) : thinking).reduce((a, b) => a + b, 0);
  const summaries: Done['summaries'] = [];
  for (const s of [...(Array.isArray(meta.summaries) ? meta.summaries : []), ...(o(meta.summary) && !Array.isArray(meta.summaries) ? [meta.summary] : [])]) {
    const u = o(o(s)?.usage);
    if (!u) continue;
    const prompt = num(u.prompt_tokens);
    summaries.push({ model: str(o(s)?.model) ?? req.model ?? 'unknown', prompt, cached: Math.min(prompt, num(o(u.prompt_tokens_details)?.cached_tokens)), output: num(u.completion_tokens) });
  }
  const model = str(meta.resolvedModel) ?? req.model ?? 'unknown';
  return { id: req.id, ts: req.ts, model, input: num(meta.promptTokens), output: num(meta.outputTokens) + earlier, summaries };
}

function openOf(req: unknown): Open {
  const r = o(req);
  const model = str(r?.modelId);
  return { id: str(r?.requestId) && sessionKey(`request:${r!.requestId}`), ts: tsOf(r?.timestamp) ?? undefined, model: model?.replace(/^copilot\//, '') };
}

/** Applies one log entry to the reduced state; finished requests go to `done`. */
export function applyEntry(st: LogState, entry: Rec, done: Done[]): void {
  const k = Array.isArray(entry.k) ? entry.k : [];
  const put = (index: number, req: unknown): void => {
    const open = openOf(req);
    const r = o(req);
    if (r && r.result !== undefined && r.result !== null) {
      const d = resultUsage(r.result, open);
      if (d) done.push(d);
      delete st.open[index];
    } else st.open[index] = open;
  };
  const reset = (requests: unknown): void => {
    st.n = 0;
    st.open = {};
    if (Array.isArray(requests)) for (const r of requests) put(st.n++, r);
  };
  if (entry.kind === 0) return reset(o(entry.v)?.requests);
  if (k[0] !== 'requests') return;
  if (entry.kind === 2 && k.length === 1) {
    if (typeof entry.i === 'number' && entry.i >= 0) {
      for (const key of Object.keys(st.open)) if (Number(key) >= entry.i) delete st.open[key];
      st.n = entry.i; // as `arr.length = i` in VS Code's reader
    }
    if (Array.isArray(entry.v)) for (const r of entry.v) put(st.n++, r);
    return;
  }
  if (entry.kind !== 1) return;
  if (k.length === 1) return reset(entry.v);
  const index = k[1];
  if (typeof index !== 'number') return;
  if (k.length === 2) {
    put(index, entry.v);
    st.n = Math.max(st.n, index + 1);
    return;
  }
  const open = st.open[index];
  if (!open || k.length !== 3) return; // a request already finished (or never seen): nothing new
  if (k[2] === 'timestamp') open.ts = tsOf(entry.v) ?? open.ts;
  else if (k[2] === 'modelId') open.model = str(entry.v)?.replace(/^copilot\//, '') ?? open.model;
  else if (k[2] === 'result' && entry.v !== undefined && entry.v !== null) {
    const d = resultUsage(entry.v, open);
    if (d) done.push(d);
    delete st.open[index];
  }
}

// Lines that can change what is counted; the streamed response parts (most of the bytes)
// are never decoded. JSON.stringify writes no spaces, and a whole request starts with its
// key property requestId (objectMutationLog sorts key properties first).
const NEEDLES = ['{"kind":0', '"k":["requests"]', '"result"]', '"timestamp"]', '"modelId"]', '],"v":{"requestId"'].map((s) => Buffer.from(s));

function byteAt(path: string, pos: number): number {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(1);
      return readSync(fd, b, 0, 1, pos) === 1 ? b[0] : -1;
    } finally {
      closeSync(fd);
    }
  } catch {
    return -1;
  }
}

function sessionFiles(roots: EditorRoots): string[] {
  const out: string[] = [];
  const add = (dir: string): void => {
    for (const name of fileNames(dir)) if (name.endsWith('.jsonl') || name.endsWith('.json')) out.push(join(dir, name));
  };
  for (const user of roots.editors) {
    if (!isDir(user)) continue; // that editor is not installed
    const ws = join(user, 'workspaceStorage');
    for (const id of subdirs(ws)) add(join(ws, id, 'chatSessions'));
    add(join(user, 'globalStorage', 'emptyWindowChatSessions'));
    add(join(user, 'globalStorage', 'transferredChatSessions'));
  }
  return out;
}

function events(done: Done[], sessionId: string, salt: Buffer): WireEvent[] {
  const out: WireEvent[] = [];
  const sk = sessionKey(sessionId);
  const session = sessionHash(salt, sessionId);
  const base = (model: string) => ({ provider: providerOf(model, undefined, 'github-copilot'), model: cleanName(model), is_local: false, source: 'copilot-vscode', session });
  for (const d of done) {
    if (d.input + d.output > 0) {
      out.push(...splitEvent({ ts: d.ts, ...base(d.model), input_tokens: d.input, output_tokens: d.output, cache_read_tokens: 0, cache_write_tokens: 0, id: eventId('cv', sk, d.id) }));
    }
    d.summaries.forEach((s, i) => {
      if (s.prompt + s.output === 0) return;
      out.push(...splitEvent({ ts: d.ts, ...base(s.model), input_tokens: s.prompt - s.cached, output_tokens: s.output, cache_read_tokens: s.cached, cache_write_tokens: 0, id: eventId('cv', sk, d.id, 'summary', i) }));
    });
  }
  return out;
}

export const copilotVscode: Collector = {
  source: 'copilot-vscode',
  scan(ctx: ScanContext): WireEvent[] {
    const marks = ctx.cursors.extra<Record<string, number>>('copilot-vscode-sessions', () => ({}));
    const out = new Map<string, WireEvent>();
    for (const path of sessionFiles(ctx.roots.copilotVscode)) {
      const stat = statOrNull(path);
      if (!stat) continue;
      const cursor = ctx.cursors.get(path);
      if (unchanged(cursor, stat)) continue;
      if (ctx.sinceMs !== null && stat.mtimeMs < ctx.sinceMs) continue;
      // The file is named for the session id (VS Code's ChatSessionStore), in every copy.
      const sid = basename(path).replace(/\.jsonl?$/, '');
      const done: Done[] = [];
      let st: LogState = { n: 0, open: {} };
      let offset = stat.size;
      if (path.endsWith('.jsonl')) {
        const prev = sameFile(cursor, stat) ? (cursor.state as LogState | undefined) : undefined;
        // Resume only where the log is the one read before (not rewritten by a compaction).
        const resume = prev?.first !== undefined && byteAt(path, prev.first - 1) === 10 ? prev : undefined;
        if (resume) st = { ...resume, open: { ...resume.open } };
        let first = resume?.first;
        const start = resume ? cursor!.offset : 0;
        offset = readLines(path, start, stat.size, (line) => {
          const entry = o(safeParse(line));
          if (entry) applyEntry(st, entry, done);
        }, NEEDLES);
        if (first === undefined && offset > 0) first = firstLineLength(path);
        st.first = first;
      } else {
        const doc = o(safeParse(readWhole(path)));
        if (doc) applyEntry(st, { kind: 0, v: doc }, done);
      }
      const mark = sessionKey(sid);
      const w = marks[mark] ?? 0;
      const fresh = done.filter((d) => d.ts > w).sort((a, b) => a.ts - b.ts);
      if (fresh.length) marks[mark] = fresh[fresh.length - 1].ts;
      for (const e of events(fresh, sid, ctx.salt)) if (ctx.sinceMs === null || e.ts >= ctx.sinceMs) out.set(e.id!, e);
      ctx.cursors.set(path, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset, state: st });
    }
    return [...out.values()];
  },
};

function firstLineLength(path: string): number | undefined {
  let n: number | undefined;
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      let pos = 0;
      for (;;) {
        const got = readSync(fd, buf, 0, buf.length, pos);
        if (got <= 0) break;
        const nl = buf.subarray(0, got).indexOf(10);
        if (nl >= 0) {
          n = pos + nl + 1;
          break;
        }
        pos += got;
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    // Gone: read again from the start next time.
  }
  return n;
}
