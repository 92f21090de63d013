// Codex CLI rollouts (FORMATS.md §2): <CODEX_HOME>/sessions/YYYY/MM/DD/rollout-*.jsonl and
// archived_sessions/. The model is on `turn_context` lines; usage on `event_msg` /
// `token_count` lines, whose `total_token_usage` is cumulative per session.
//
// Traps handled:
// - token_count is re-emitted with unchanged totals (UI / rate-limit refreshes), and
//   resumed, forked and archived copies replay history: only an *increase* of the
//   session's cumulative total makes an event (delta = total − the session's highest
//   total seen so far, kept across files and runs);
// - a forked/subagent file starts with a burst of the parent's token_count lines (same
//   timestamp second): they set the baseline, they are not new usage;
// - `cached_input_tokens` is inside `input_tokens` and is subtracted;
// - the same session in sessions/ and archived_sessions/: same id, same totals, counted once.
// Event ids come from the session id and the cumulative totals, so a re-read counts once.
import type { WireEvent } from '../wire.ts';
import { eventId, sessionHash, sessionKey } from '../ids.ts';
import { findFiles, readLines, sameFile, unchanged, readHead, type FoundFile } from './files.ts';
import { cleanName, num, tsOf, type Collector, type ScanContext } from './context.ts';
import { join, basename } from 'node:path';
import { o, type Rec } from './json.ts';

const NEEDLES = ['"token_count"', '"turn_context"', '"session_meta"'].map((s) => Buffer.from(s));

/** [input, cached, output, reasoning, cache_write] cumulative. */
type Totals = [number, number, number, number, number];

interface FileState {
  /** sessionKey() and sessionHash() of the session id (the raw id is never kept). */
  sid?: string;
  session?: string;
  provider?: string;
  model?: string;
  /** A forked/subagent file: the first burst of replayed token_count lines is the baseline. */
  fork?: boolean;
  /** The timestamp second of that burst, once seen. */
  burst?: string;
}


function totalsOf(u: Rec | null): Totals | null {
  if (!u) return null;
  return [num(u.input_tokens), num(u.cached_input_tokens ?? u.cache_read_input_tokens), num(u.output_tokens), num(u.reasoning_output_tokens), num(u.cache_write_input_tokens)];
}

const sum = (t: Totals): number => t[0] + t[2];

/** Rollout files, oldest first (their names start with the session's start time), sessions/ winning over archived copies. */
export function rolloutFiles(homes: string[]): FoundFile[] {
  const out: FoundFile[] = [];
  for (const home of homes) {
    const live = findFiles(join(home, 'sessions'), (n) => n.startsWith('rollout-') && n.endsWith('.jsonl'));
    const names = new Set(live.map((f) => basename(f.path)));
    const archived = findFiles(join(home, 'archived_sessions'), (n) => n.startsWith('rollout-') && n.endsWith('.jsonl') && !names.has(n));
    out.push(...live, ...archived);
  }
  // Chronological: a session resumed into a newer file continues from the older file's totals.
  // Compared as code units, not with localeCompare: the names are ASCII timestamps, which
  // sort the same either way, and the first localeCompare loads ICU's collator (5-10 ms of
  // every `collect`).
  return out.sort((a, b) => byCodeUnits(basename(a.path), basename(b.path)) || a.stat.mtimeMs - b.stat.mtimeMs);
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const codex: Collector = {
  source: 'codex',
  scan(ctx: ScanContext): WireEvent[] {
    // Highest cumulative totals seen per session, across files and runs.
    const sessions = ctx.cursors.extra<Record<string, Totals>>('codex-sessions', () => ({}));
    const out: WireEvent[] = [];
    for (const { path, stat } of rolloutFiles(ctx.roots.codex)) {
      const cursor = ctx.cursors.get(path);
      if (unchanged(cursor, stat)) continue;
      const resume = sameFile(cursor, stat);
      const st: FileState = resume ? { ...(cursor.state as FileState) } : {};
      const start = resume ? cursor.offset : 0;
      if (start === 0) {
        // Subagent rollouts mention thread_spawn early (ccusage's test: the first 16 KB).
        const head = readHead(path, 16 * 1024);
        if (head.includes('thread_spawn')) st.fork = true;
      }
      const offset = readLines(path, start, stat.size, (text) => {
        let line: Rec;
        try {
          line = JSON.parse(text) as Rec;
        } catch {
          return;
        }
        const payload = o(line.payload);
        if (!payload) return;
        if (line.type === 'session_meta') {
          if (st.sid === undefined && typeof payload.id === 'string') {
            st.sid = sessionKey(payload.id);
            st.session = sessionHash(ctx.salt, payload.id);
            st.provider = typeof payload.model_provider === 'string' ? payload.model_provider : undefined;
            if (payload.forked_from_id || o(payload.source)?.subagent !== undefined) st.fork = true;
          } else if (typeof payload.id === 'string' && sessionKey(payload.id) !== st.sid) {
            st.fork = true; // a second session_meta: the parent's, replayed into this fork
          }
          return;
        }
        if (line.type === 'turn_context') {
          const m = payload.model ?? payload.model_name ?? o(payload.metadata)?.model;
          if (typeof m === 'string' && m) st.model = m;
          return;
        }
        if (line.type !== 'event_msg' || payload.type !== 'token_count') return;
        const info = o(payload.info);
        if (!info || !st.sid || !st.session) return;
        const ts = tsOf(line.timestamp);
        if (ts === null) return;
        const key = st.session;
        const max: Totals = sessions[key] ?? [0, 0, 0, 0, 0];
        const total = totalsOf(o(info.total_token_usage));
        const second = typeof line.timestamp === 'string' ? line.timestamp.slice(0, 19) : '';
        if (st.fork && (st.burst === undefined || st.burst === second)) {
          // The parent's replayed history: take it as the baseline, count nothing.
          st.burst = second;
          if (total && sum(total) > sum(max)) sessions[key] = total;
          return;
        }
        let delta: Totals;
        let idParts: (string | number)[];
        if (total) {
          if (sum(total) <= sum(max)) return; // a repeated or stale snapshot
          delta = total.map((v, i) => Math.max(0, v - max[i])) as Totals;
          sessions[key] = total;
          idParts = total;
        } else {
          // No cumulative totals (older builds): the last response's usage, keyed by time.
          const last = totalsOf(o(info.last_token_usage));
          if (!last) return;
          delta = last;
          idParts = [ts, ...last];
        }
        const cached = Math.min(delta[1], delta[0]);
        const written = Math.min(delta[4], delta[0] - cached);
        const ev: WireEvent = {
          ts, provider: cleanName(st.provider, 'openai'), model: cleanName(st.model), is_local: false,
          input_tokens: delta[0] - cached - written, output_tokens: delta[2], cache_read_tokens: cached, cache_write_tokens: written,
          id: eventId('cx', st.sid, ...idParts), source: 'codex', session: st.session,
        };
        if (ev.input_tokens + ev.output_tokens + ev.cache_read_tokens + ev.cache_write_tokens === 0) return;
        if (ctx.sinceMs === null || ts >= ctx.sinceMs) out.push(ev);
      }, NEEDLES);
      ctx.cursors.set(path, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset, state: st });
    }
    return out;
  },
};
