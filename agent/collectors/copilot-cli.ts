// GitHub Copilot CLI, through its OpenTelemetry file export (FORMATS.md §8): with
// COPILOT_OTEL_ENABLED=true and COPILOT_OTEL_EXPORTER_TYPE=file the CLI appends one JSON
// record per finished span / log record to COPILOT_OTEL_FILE_EXPORTER_PATH (ccusage reads
// ~/.copilot/otel/*.jsonl plus that file; tokscale the same). Without the export Copilot CLI
// keeps no per-response token counts we read (see README, "Sources").
//
// Records follow the OTel GenAI semantic conventions: a `chat <model>` span per model call
// with gen_ai.usage.* counts, inside an `invoke_agent` span per agent turn. Traps handled:
// - the invoke_agent span (and the agent-turn / inference log records) carry the SAME usage
//   again, summed over the turn: per trace only one kind is counted — chat spans when the
//   trace has any, else inference logs, else agent-turn logs, else the largest agent span.
//   A trace is decided when its root invoke_agent span arrives (it ends last) or, failing
//   that, once the file has been quiet; until then its records wait in the cursor state;
// - gen_ai.usage.input_tokens includes cache reads and writes (the conventions say both
//   "SHOULD be included"): they are subtracted; reasoning tokens are inside output_tokens;
// - the same span exported to two files has the same trace and span ids: one event;
// - an agent span summing a long turn can pass the per-event limit: split (sink.ts).
import { join } from 'node:path';

import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash } from '../ids.ts';
import { findFiles, type FoundFile, statOrNull } from './files.ts';
import { cleanName, type Collector, type ScanContext } from './context.ts';
import { o, type Rec, safeParse, str } from './json.ts';
import { readNewLines } from './incremental.ts';
import { EventSink } from './sink.ts';
import { providerOf } from './provider.ts';
import { epochMs } from './time.ts';
import { pathList } from './locations.ts';

/**
 * Where Copilot CLI's OTel JSONL may be: `${COPILOT_HOME:-~/.copilot}/otel/` (the folder
 * ccusage and tokscale read; the same under the user profile on Windows) and the explicit
 * COPILOT_OTEL_FILE_EXPORTER_PATH file, wherever it is.
 */
export function copilotRoots(env: Env, home: string): string[] {
  const base = env.COPILOT_HOME || join(home, '.copilot');
  return [join(base, 'otel'), ...pathList(env.COPILOT_OTEL_FILE_EXPORTER_PATH)];
}

type Kind = 'chat' | 'infer' | 'turn' | 'agent';

interface Cand {
  id: string;
  ts: number;
  model?: string;
  session?: string;
  /** [uncached input, output, cache read, cache write] */
  n: [number, number, number, number];
}

interface TraceState {
  chat: Cand[];
  infer: Cand[];
  turn: Cand[];
  agent: Cand[];
  model?: string;
  session?: string;
}

interface FileState {
  /** Traces not decided yet, by a digest of the trace id. */
  traces: Record<string, TraceState>;
  /** Decided traces (bounded): a late chat span of a trace counted from its aggregate is dropped. */
  closed: Record<string, 'chat' | 'fallback'>;
}

const NEEDLES = [Buffer.from('"attributes"')];
const CLOSED_KEEP = 4096;

/** Attributes as a flat map, from either the SDK's `{key: value}` or OTLP's `[{key, value: {intValue}}]`. */
function attrsOf(rec: Rec): Rec | null {
  const a = rec.attributes;
  if (!Array.isArray(a)) return o(a);
  const out: Rec = {};
  for (const kv of a) {
    const e = o(kv);
    const v = o(e?.value);
    if (e && typeof e.key === 'string' && v) out[e.key] = v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue;
  }
  return out;
}

function count(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** `[seconds, nanos]` (the JS SDK's HrTime) as ms. */
function hrMs(v: unknown): number | null {
  if (!Array.isArray(v) || v.length < 2) return null;
  const s = count(v[0]);
  return s ? s * 1000 + Math.floor(count(v[1]) / 1e6) : null;
}

function timeOf(rec: Rec): number | null {
  const end = hrMs(rec.endTime) ?? epochMs(rec.endTimeUnixNano);
  if (end) return end;
  // The console-style exporter writes `timestamp` (µs) and `duration` (µs) for spans.
  const start = epochMs(rec.timestamp);
  if (start && Array.isArray(rec.duration)) return start + (hrMs(rec.duration) ?? 0);
  if (start && typeof rec.duration === 'number') return start + Math.floor(rec.duration / 1000);
  return hrMs(rec.startTime) ?? hrMs(rec.hrTime) ?? hrMs(rec._hrTime) ?? epochMs(rec.timeUnixNano) ?? start ?? epochMs(rec.observedTimestamp);
}

function isSpan(rec: Rec): boolean {
  if (typeof rec.type === 'string') return rec.type === 'span';
  return !!str(rec.name) && (rec.spanId !== undefined || rec.traceId !== undefined || rec.startTime !== undefined || rec.endTime !== undefined || rec.duration !== undefined || rec.kind !== undefined);
}

function kindOf(rec: Rec, attrs: Rec): Kind | null {
  const op = attrs['gen_ai.operation.name'];
  const name = str(rec.name) ?? '';
  if (isSpan(rec)) {
    if (op === 'chat' || name.startsWith('chat ')) return 'chat';
    if (op === 'invoke_agent' || name.startsWith('invoke_agent')) return 'agent';
    return null;
  }
  const event = attrs['event.name'];
  const body = str(rec.body) ?? str(o(rec.body)?.stringValue) ?? str(rec._body) ?? '';
  if (event === 'gen_ai.client.inference.operation.details' || body.startsWith('GenAI inference:')) return 'infer';
  if (event === 'copilot_chat.agent.turn' || body.startsWith('copilot_chat.agent.turn')) return 'turn';
  return null;
}

const sessionOf = (attrs: Rec): string | undefined =>
  str(attrs['gen_ai.conversation.id']) ?? str(attrs['copilot_chat.session_id']) ?? str(attrs['copilot_chat.chat_session_id']) ?? str(attrs['session.id']);

const modelOf = (attrs: Rec): string | undefined => str(attrs['gen_ai.response.model']) ?? str(attrs['gen_ai.request.model']);

/** The four counts under our counting rules (see the header). */
export function copilotCounts(attrs: Rec): Cand['n'] {
  const input = count(attrs['gen_ai.usage.input_tokens']);
  const read = count(attrs['gen_ai.usage.cache_read.input_tokens']);
  const write = count(attrs['gen_ai.usage.cache_write.input_tokens']) || count(attrs['gen_ai.usage.cache_creation.input_tokens']);
  // Inside input as the conventions say; a tool that reports them apart (their sum larger
  // than input) has input already uncached.
  const uncached = read + write <= input ? input - read - write : input;
  return [uncached, count(attrs['gen_ai.usage.output_tokens']), read, write];
}

interface Ids {
  trace?: string;
  span?: string;
  /** A parent field is present and empty (a root), present and set, or absent (unknown). */
  root: boolean;
}

function idsOf(rec: Rec): Ids {
  const ctx = o(rec.spanContext) ?? o(rec.context);
  const trace = str(rec.traceId) ?? str(ctx?.traceId) ?? str(ctx?.trace_id);
  const span = str(rec.spanId) ?? str(ctx?.spanId) ?? str(ctx?.span_id) ?? (isSpan(rec) ? str(rec.id) : undefined);
  const parentFields = ['parentSpanId', 'parentId', 'parentSpanContext'].filter((k) => k in rec);
  const parent = str(rec.parentSpanId) ?? str(rec.parentId) ?? str(o(rec.parentSpanContext)?.spanId);
  return { trace, span, root: parentFields.length === 0 || !parent };
}

function toEvent(c: Cand, t: TraceState | undefined): WireEvent {
  const model = cleanName(c.model ?? t?.model);
  const ev: WireEvent = {
    ts: c.ts, provider: providerOf(model, undefined, 'github-copilot'), model, is_local: false,
    input_tokens: c.n[0], output_tokens: c.n[1], cache_read_tokens: c.n[2], cache_write_tokens: c.n[3],
    id: c.id, source: 'copilot-cli',
  };
  const session = c.session ?? t?.session;
  if (session) ev.session = session;
  return ev;
}

const total = (c: Cand): number => c.n[0] + c.n[1] + c.n[2] + c.n[3];

/** Decides a trace: the events of the one kind that counts it (see the header). */
function decide(t: TraceState): { use: Cand[]; by: 'chat' | 'fallback' } {
  if (t.chat.length) return { use: t.chat, by: 'chat' };
  if (t.infer.length) return { use: t.infer, by: 'fallback' };
  if (t.turn.length) return { use: t.turn, by: 'fallback' };
  // Nested agent spans may each sum the same calls: the largest one alone is never an over-count.
  const biggest = t.agent.reduce<Cand | null>((b, c) => (!b || total(c) > total(b) ? c : b), null);
  return { use: biggest ? [biggest] : [], by: 'fallback' };
}

function otelFiles(roots: string[]): FoundFile[] {
  const out: FoundFile[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    const st = statOrNull(root);
    if (!st) continue;
    const found = st.isFile() ? [{ path: root, stat: st }] : findFiles(root, (n) => n.endsWith('.jsonl'));
    for (const f of found) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      out.push(f);
    }
  }
  return out;
}

export const copilotCli: Collector = {
  source: 'copilot-cli',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const file of otelFiles(ctx.roots.copilot)) {
      const fallbackTs = Math.floor(file.stat.mtimeMs);
      const close = (st: FileState, key: string): void => {
        const t = st.traces[key];
        delete st.traces[key];
        const { use, by } = decide(t);
        for (const c of use) sink.add(toEvent(c, t));
        // A trace closed with nothing counted (a turn waiting on the user past the settle
        // time, so far only tool spans) stays open to the chat spans still to come.
        if (!use.length) return;
        st.closed[key] = by;
        const keys = Object.keys(st.closed);
        for (const k of keys.slice(0, Math.max(0, keys.length - CLOSED_KEEP))) delete st.closed[k];
      };
      readNewLines<FileState>(ctx, file, NEEDLES, () => ({ traces: {}, closed: {} }), (text, read) => {
        const rec = o(safeParse(text));
        const attrs = rec && attrsOf(rec);
        if (!rec || !attrs) return;
        const st = read.state;
        const ids = idsOf(rec);
        const key = ids.trace ? eventId('t', ids.trace) : null;
        const rawSession = sessionOf(attrs);
        const session = rawSession ? sessionHash(ctx.salt, rawSession) : undefined;
        const model = modelOf(attrs);
        const kind = kindOf(rec, attrs);
        let t = key ? st.traces[key] : undefined;
        if (key && !t && !st.closed[key] && (kind || session || model)) t = st.traces[key] = { chat: [], infer: [], turn: [], agent: [] };
        // Any record of a trace may name its conversation and model (tool spans do).
        if (t) {
          t.session ??= session;
          t.model ??= model;
        }
        if (!kind) return;
        const n = copilotCounts(attrs);
        if (n[0] + n[1] + n[2] + n[3] > 0) {
          const ts = timeOf(rec) ?? fallbackTs;
          const id = ids.trace && ids.span ? eventId('cp', kind === 'infer' ? 'log' : 'span', ids.trace, ids.span)
            : kind === 'turn' && ids.trace ? eventId('cp', 'turn', ids.trace, String(attrs['turn.index'] ?? attrs['copilot_chat.turn.index'] ?? ts))
              : eventId('cp', kind, rawSession ?? '', ts, ...n);
          const c: Cand = { id, ts, n, ...(model ? { model: cleanName(model) } : {}), ...(session ? { session } : {}) };
          const closedBy = key ? st.closed[key] : undefined;
          if (!t) {
            // No trace to weigh it against (no trace id), or a trace already decided: a late
            // chat span counts only if the trace was counted by its chat spans.
            if (!closedBy || (closedBy === 'chat' && kind === 'chat')) sink.add(toEvent(c, undefined));
          } else {
            t[kind].push(c);
          }
        }
        // The root agent span ends last: its trace is complete.
        if (kind === 'agent' && ids.root && key && st.traces[key]) close(st, key);
      }, (read) => {
        if (read.settled) for (const key of Object.keys(read.state.traces)) close(read.state, key);
      }, (st) => Object.keys(st.traces).length > 0);
    }
    return sink.events();
  },
};
