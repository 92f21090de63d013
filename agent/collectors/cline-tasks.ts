// The task store Cline, Roo Code and Kilo Code share (Roo and Kilo are forks of Cline):
// <store>/tasks/<taskId>/ui_messages.json is the task's whole message list, rewritten in
// place on every change. Usage is on `say` rows whose `text` is JSON
// {tokensIn, tokensOut, cacheReads, cacheWrites, cost, …}: one `api_req_started` row per
// model request, first written as a placeholder without counts and filled in when the
// response ends. The `cost` the tools compute is never sent (the wire has no cost).
//
// Traps handled here, for all three:
// - the file is rewritten whole every turn: a task's rows are accounted for up to a
//   watermark (the ts of the last row counted, kept per task id), so a re-read counts only
//   rows after it; the newest usage row is held while the file is still being written;
// - a checkpoint restore deletes the rows after the checkpoint and writes one aggregate row
//   of what it deleted (Cline `deleted_api_reqs`, Roo/Kilo `api_req_deleted`): only the part
//   of the aggregate not already counted (rows deleted before this agent saw them) is new;
// - a half-written or broken file is skipped until it changes again;
// - the same task id under two editors' folders (a copied profile) is one task: the
//   watermark is keyed by the task id, and event ids are (task id, row ts).
// What `tokensIn` means differs by tool and version; each collector says (TaskFlavor).
import { join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import { eventId, sessionHash, sessionKey } from '../ids.ts';
import { readWhole, statOrNull, subdirs, unchanged } from './files.ts';
import { cleanName, num, tsOf, type ScanContext, type Source } from './context.ts';
import { o, safeParse, type Rec } from './json.ts';
import { splitEvent } from './split.ts';

/** [input, output, cache read, cache write] as the tool recorded them. */
export type Counts = [number, number, number, number];

export interface UsageRow {
  ts: number;
  counts: Counts;
  /** An aggregate of the rows a checkpoint restore deleted. */
  aggregate: boolean;
  /** The row's own message (model info, protocol) and its parsed `text`. */
  msg: Rec;
  info: Rec;
}

/** Kept per task across scans (and across editors' copies of the same task id). */
export interface TaskState {
  /** Rows up to this ts are accounted for. */
  w: number;
  /** Counts accounted for: the rows present up to `w`, plus deleted ones no aggregate covered yet. */
  t: Counts;
}

/** Who answered a row, as the wire wants it, and how to read its `tokensIn`. */
export interface Who {
  model: string;
  provider: string;
  isLocal: boolean;
  /** tokensIn includes the cache reads and writes (OpenAI style): subtract them. */
  includesCache: boolean;
}

export interface TaskFlavor {
  source: Source;
  /** Event id namespace. */
  prefix: string;
  usageSays: ReadonlySet<string>;
  aggregateSay: string;
  /** Who answered each row to send; may read the task's other files (called once per task). */
  who(taskDir: string, rows: UsageRow[]): (row: UsageRow) => Who;
}

const ZERO: Counts = [0, 0, 0, 0];
const add = (a: Counts, b: Counts): Counts => [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];
const minus = (a: Counts, b: Counts): Counts => [Math.max(0, a[0] - b[0]), Math.max(0, a[1] - b[1]), Math.max(0, a[2] - b[2]), Math.max(0, a[3] - b[3])];
const sum = (c: Counts): number => c[0] + c[1] + c[2] + c[3];

/**
 * Which rows are new since `prev`, and what each adds. Rows must carry distinct ts (the
 * tools use ts as the row key). The newest row is held while the file is not settled (its
 * counts may still be filled in), and an empty newest row is never final.
 */
export function newUsage(rows: UsageRow[], prev: TaskState | undefined, settled: boolean): { emit: { row: UsageRow; counts: Counts }[]; next: TaskState; held: boolean } {
  const w = prev?.w ?? 0;
  const sorted = [...rows].sort((a, b) => a.ts - b.ts);
  let present = ZERO;
  for (const r of sorted) if (r.ts <= w) present = add(present, r.counts);
  // Counted rows that are gone were deleted by a checkpoint restore; its aggregate covers them.
  let deleted = minus(prev?.t ?? ZERO, present);
  const last = sorted[sorted.length - 1];
  const emit: { row: UsageRow; counts: Counts }[] = [];
  let nextW = w;
  let held = false;
  for (const r of sorted) {
    if (r.ts <= w) continue;
    if (r === last && (!settled || sum(r.counts) === 0)) {
      held = !settled;
      continue;
    }
    let counts = r.counts;
    if (r.aggregate) {
      counts = minus(r.counts, deleted);
      deleted = minus(deleted, r.counts);
    }
    if (sum(counts) > 0) emit.push({ row: r, counts });
    nextW = r.ts;
    present = add(present, r.counts);
  }
  return { emit, held, next: { w: nextW, t: add(present, deleted) } };
}

/** The usage rows of a parsed ui_messages.json; null when it is not a message list. */
export function usageRows(doc: unknown, flavor: Pick<TaskFlavor, 'usageSays' | 'aggregateSay'>): UsageRow[] | null {
  if (!Array.isArray(doc)) return null;
  const rows: UsageRow[] = [];
  for (const m of doc) {
    const msg = o(m);
    if (!msg || msg.type !== 'say' || typeof msg.say !== 'string') continue;
    const aggregate = msg.say === flavor.aggregateSay;
    if (!aggregate && !flavor.usageSays.has(msg.say)) continue;
    const ts = tsOf(msg.ts);
    if (ts === null) continue;
    const info = o(safeParse(typeof msg.text === 'string' ? msg.text : null)) ?? {};
    rows.push({ ts, aggregate, msg, info, counts: [num(info.tokensIn), num(info.tokensOut), num(info.cacheReads), num(info.cacheWrites)] });
  }
  return rows;
}

/** Wire events for one row's counts (several when they exceed the per-event limit). */
export function usageEvents(source: Source, ts: number, counts: Counts, who: Who, id: string, session: string): WireEvent[] {
  const [tokensIn, output, read, write] = counts;
  const input = who.includesCache && tokensIn >= read + write ? tokensIn - read - write : tokensIn;
  return splitEvent({
    ts, provider: cleanName(who.provider), model: cleanName(who.model), is_local: who.isLocal,
    input_tokens: input, output_tokens: output, cache_read_tokens: read, cache_write_tokens: write,
    id, source, session,
  });
}

/**
 * A file the tool rewrites whole: parsed again only when it changed, or when a row held
 * back last time may have become final (the file has been quiet since). Null when there is
 * nothing to read now; a half-written or broken file waits until it changes again.
 */
export function rereadWhole<T>(ctx: ScanContext, path: string, parse: (doc: unknown) => T | null): { value: T; settled: boolean; done(held: boolean): void } | null {
  const stat = statOrNull(path);
  if (!stat) return null; // deleted, or never written
  const cursor = ctx.cursors.get(path);
  const settled = ctx.now - stat.mtimeMs >= ctx.settleMs;
  const wasHeld = (cursor?.state as { held?: boolean } | undefined)?.held === true;
  if (unchanged(cursor, stat) && !(wasHeld && settled)) return null;
  if (ctx.sinceMs !== null && stat.mtimeMs < ctx.sinceMs) return null;
  const base = { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size };
  const value = parse(safeParse(readWhole(path)));
  if (value === null) {
    ctx.cursors.set(path, { ...base, state: { broken: true } });
    return null;
  }
  return { value, settled, done: (held) => ctx.cursors.set(path, { ...base, state: { held } }) };
}

/** Every task of every store (folders holding tasks/<id>/ui_messages.json). */
export function scanTasks(ctx: ScanContext, flavor: TaskFlavor, stores: string[]): WireEvent[] {
  const tasks = ctx.cursors.extra<Record<string, TaskState>>(`${flavor.source}-tasks`, () => ({}));
  const out = new Map<string, WireEvent>();
  for (const store of new Set(stores)) {
    for (const id of subdirs(join(store, 'tasks'))) {
      const dir = join(store, 'tasks', id);
      const file = rereadWhole(ctx, join(dir, 'ui_messages.json'), (doc) => usageRows(doc, flavor));
      if (!file) continue;
      const key = sessionKey(`${flavor.source}:${id}`);
      const r = newUsage(file.value, tasks[key], file.settled);
      tasks[key] = r.next;
      if (r.emit.length) {
        const who = flavor.who(dir, file.value);
        const session = sessionHash(ctx.salt, id);
        for (const { row, counts } of r.emit) {
          if (ctx.sinceMs !== null && row.ts < ctx.sinceMs) continue;
          for (const e of usageEvents(flavor.source, row.ts, counts, who(row), eventId(flavor.prefix, id, row.ts), session)) out.set(e.id!, e);
        }
      }
      file.done(r.held);
    }
  }
  return [...out.values()];
}
