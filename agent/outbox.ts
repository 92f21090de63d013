// The durable on-disk queue between the producers (proxy, SDK shim, collectors) and the
// sender. Modelled on wakatime-cli's offline queue: nothing is lost when the server is
// down or the agent is killed (-9) at any moment.
//
// Layout under <state>/outbox/:
//   q/<ms>-<pid>-<rand>.open   a producer's current segment, one event JSON per line;
//                              only its own process appends to it
//   q/<ms>-<pid>-<rand>.jsonl  a sealed segment (renamed by its producer, or by the sender
//                              once the producer is dead); only the sender touches it
//   progress.json              lines already delivered of partly sent sealed segments
//   rejected.jsonl             events the server refused (400/413), kept for `status`
// Delivery is at least once; every event carries an id, and the server counts an id once,
// so a batch resent after a crash changes nothing.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync, appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eventChecker, MAX_BODY_BYTES, MAX_EVENTS, type EventCheck, type WireEvent } from './wire.ts';
import { pidAlive, readJson, writeJsonAtomic } from './fsutil.ts';

/** A producer seals its segment after this many bytes or this long, so the sender can take it. */
const SEGMENT_BYTES = 1024 * 1024;
const SEGMENT_MS = 1000;
/** An .open segment untouched this long is taken even if its pid looks alive (pid reuse). */
const ABANDONED_MS = 60 * 60_000;
/** `{"events":[` + `]}` */
const BODY_OVERHEAD = 13;

export interface BatchPart {
  segment: string;
  from: number;
  to: number;
  /** Total lines in the segment when read (to know whether it is finished). */
  lines: number;
}

export interface Batch {
  events: WireEvent[];
  /** The exact body to sign and post. */
  body: string;
  parts: BatchPart[];
  /** Lines in the batch's range that are not valid events; set aside by `ack`. */
  rejects: RejectedEvent[];
}

export interface RejectedEvent {
  at: number;
  status: number;
  error: string;
  event: unknown;
}

type Progress = Record<string, number>;

export class Outbox {
  readonly dir: string;
  private readonly qdir: string;
  private fd: number | null = null;
  private openName = '';
  private openBytes = 0;
  private sealTimer: NodeJS.Timeout | null = null;
  private exitHook: (() => void) | null = null;
  private cached: { segment: string; ino: number; size: number; mtimeMs: number; lines: string[] } | null = null;
  /** Progress acknowledged but not yet written (see `ack`). */
  private unsaved: Progress | null = null;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'outbox');
    this.qdir = join(this.dir, 'q');
    mkdirSync(this.qdir, { recursive: true, mode: 0o700 });
  }

  // ---- producer side -------------------------------------------------------------

  /**
   * Appends events durably (survives kill -9 once this returns). A large append (a first
   * `collect` of a year of history) is cut into segments of about SEGMENT_BYTES, so the
   * sender never reads more than one segment to build a batch.
   */
  append(events: WireEvent[]): void {
    let text = '';
    for (const e of events) {
      text += `${JSON.stringify(e)}\n`;
      if (this.openBytes + text.length >= SEGMENT_BYTES) {
        this.write(text);
        text = '';
      }
    }
    if (text) this.write(text);
  }

  private write(text: string): void {
    if (this.fd === null) this.openSegment();
    writeSync(this.fd!, text);
    this.openBytes += Buffer.byteLength(text);
    if (this.openBytes >= SEGMENT_BYTES) this.seal();
  }

  private openSegment(): void {
    this.openName = `${Date.now().toString().padStart(14, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.fd = openSync(join(this.qdir, `${this.openName}.open`), 'a', 0o600);
    this.openBytes = 0;
    this.sealTimer = setTimeout(() => this.seal(), SEGMENT_MS);
    this.sealTimer.unref();
    if (!this.exitHook) {
      this.exitHook = () => {
        // Never throw from an exit handler (the state dir may be gone); an unsealed
        // segment is adopted by the sender once this process is gone anyway.
        try {
          this.seal();
        } catch {
          // nothing to do
        }
      };
      process.once('exit', this.exitHook);
    }
  }

  /** Closes this process's segment and makes it visible to the sender. */
  seal(): void {
    if (this.sealTimer) clearTimeout(this.sealTimer);
    this.sealTimer = null;
    if (this.fd === null) return;
    // No fsync: written data survives kill -9 without it (it is in the page cache), and
    // an fsync here would stall the proxy's event loop. Power loss can cost the last
    // seconds; collectors re-read those from their logs (same ids, counted once).
    closeSync(this.fd);
    this.fd = null;
    renameSync(join(this.qdir, `${this.openName}.open`), join(this.qdir, `${this.openName}.jsonl`));
  }

  /** Seals and stops watching for exit (for tests and clean shutdown). */
  close(): void {
    this.seal();
    if (this.exitHook) process.off('exit', this.exitHook);
    this.exitHook = null;
  }

  // ---- sender side (call only while holding the send lock) -------------------------

  /** Seals segments whose producer died (kill -9) or went quiet for an hour. */
  private adoptAbandoned(ownThreadsToo = false): void {
    const now = Date.now();
    for (const f of readdirSync(this.qdir)) {
      if (!f.endsWith('.open') || f === `${this.openName}.open`) continue;
      const pid = Number(f.split('-')[1]);
      let old = false;
      try {
        old = now - statSync(join(this.qdir, f)).mtimeMs > ABANDONED_MS;
      } catch {
        continue;
      }
      if (pid === process.pid ? !ownThreadsToo : pidAlive(pid) && !old) continue;
      try {
        renameSync(join(this.qdir, f), join(this.qdir, f.replace(/\.open$/, '.jsonl')));
      } catch {
        // Its producer sealed it in the meantime.
      }
    }
  }

  /**
   * Seals the segments another thread of this process left open when it died (they would
   * otherwise wait an hour, as their pid is alive). Only for a thread that knows it is
   * the only producer left in this process.
   */
  adoptOwnThreads(): void {
    this.adoptAbandoned(true);
  }

  private sealedSegments(): string[] {
    return readdirSync(this.qdir).filter((f) => f.endsWith('.jsonl')).sort();
  }

  private progress(): Progress {
    return this.unsaved ?? readJson<Progress>(join(this.dir, 'progress.json'), {});
  }

  /**
   * A sealed segment's lines. The last one read is kept while its file is unchanged
   * (same inode, size and mtime): a drain takes a segment's lines in several batches,
   * and re-reading a whole segment per batch made a large backlog quadratic.
   */
  private readLines(segment: string): string[] {
    const path = join(this.qdir, segment);
    let st;
    try {
      st = statSync(path);
    } catch {
      return [];
    }
    const c = this.cached;
    if (c && c.segment === segment && c.ino === st.ino && c.size === st.size && c.mtimeMs === st.mtimeMs) return c.lines;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return [];
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    this.cached = Buffer.byteLength(text) === st.size ? { segment, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, lines } : null;
    return lines;
  }

  /**
   * The next batch from the head of the queue, or, given `after`, the one that follows
   * that batch (built while `after` is still on its way to the server): at most
   * `maxEvents` events and a body of at most MAX_BODY_BYTES. Lines that are not valid
   * events (a write torn by a crash, an event the wire format refuses) are never sent;
   * `ack` sets them aside. Null when no event is left; only a batch read ahead may hold
   * no events (just such lines): ack it unsent once `after` is acked.
   */
  nextBatch(maxEvents = MAX_EVENTS, after?: Batch): Batch | null {
    let start: Progress;
    let segments = this.sealedSegments();
    if (after) {
      // Where `after` ended: its last segment from its last line on, then the later ones.
      const last = after.parts[after.parts.length - 1];
      segments = segments.filter((seg) => seg >= last.segment);
      start = { [last.segment]: last.to };
    } else {
      this.adoptAbandoned();
      segments = this.sealedSegments();
      start = this.progress();
    }
    const events: WireEvent[] = [];
    const texts: string[] = [];
    const parts: BatchPart[] = [];
    const rejects: RejectedEvent[] = [];
    let bytes = BODY_OVERHEAD;
    const check = eventChecker();
    outer: for (const segment of segments) {
      const lines = this.readLines(segment);
      const from = start[segment] ?? 0;
      let i = from;
      for (; i < lines.length; i++) {
        const line = lines[i];
        const ev = parseEvent(line, check);
        if (!ev.ok) {
          if (line.trim()) rejects.push({ at: Date.now(), status: 0, error: ev.error, event: line.slice(0, 2000) });
          continue;
        }
        const size = Buffer.byteLength(line) + (texts.length ? 1 : 0);
        if (events.length >= maxEvents || bytes + size > MAX_BODY_BYTES) {
          if (i > from || events.length === 0) parts.push({ segment, from, to: i, lines: lines.length });
          break outer;
        }
        events.push(ev.event);
        texts.push(line);
        bytes += size;
      }
      // (A finished segment gets a part too, so that `ack` deletes it; reading ahead,
      // the segment `after` finished is its own to delete.)
      if (!after || i > from) parts.push({ segment, from, to: i, lines: lines.length });
    }
    if (!parts.length) return null;
    const batch = { events, body: events.length ? `{"events":[${texts.join(',')}]}` : '', parts, rejects };
    if (!events.length && !after) {
      // Only unsendable lines (or finished segments) were found: done with them.
      this.ack(batch);
      return null;
    }
    return batch;
  }

  /**
   * The server has the batch (or it held only unsendable lines): forget it. Finished
   * segments are deleted at once; with `save: false` the progress within a segment is
   * only kept in memory until `saveProgress` (a sender draining a long queue saves it once
   * a second: after a crash it resends at most that much, which the server counts once).
   */
  ack(batch: Batch, opts: { save?: boolean } = {}): void {
    if (batch.rejects.length) this.setAside(batch.rejects);
    const progress = this.progress();
    for (const p of batch.parts) {
      if (p.to >= p.lines) {
        try {
          unlinkSync(join(this.qdir, p.segment));
        } catch {
          // Already gone.
        }
        delete progress[p.segment];
      } else progress[p.segment] = p.to;
    }
    this.unsaved = progress;
    if (opts.save !== false) this.saveProgress();
  }

  /** Writes the progress `ack` kept in memory (call before giving up the send lock). */
  saveProgress(): void {
    const progress = this.unsaved;
    if (!progress) return;
    for (const seg of Object.keys(progress)) if (!existsSync(join(this.qdir, seg))) delete progress[seg];
    writeJsonAtomic(join(this.dir, 'progress.json'), progress);
    this.unsaved = null;
  }

  /** Moves refused events to rejected.jsonl (kept for `status`, never retried). */
  setAside(items: RejectedEvent[]): void {
    appendFileSync(join(this.dir, 'rejected.jsonl'), items.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
  }

  /**
   * Removes one event of a batch from its segment (it is set aside by the caller): the
   * segment is rewritten without that line, atomically. Its index is within the batch.
   */
  dropFromBatch(batch: Batch, index: number): void {
    let n = index;
    const check = eventChecker();
    for (const p of batch.parts) {
      const lines = this.readLines(p.segment);
      // Count only the valid lines this batch took from the segment.
      for (let i = p.from; i < p.to; i++) {
        if (!parseEvent(lines[i], check).ok) continue;
        if (n === 0) {
          lines.splice(i, 1);
          const path = join(this.qdir, p.segment);
          writeFileSync(`${path}.tmp`, lines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
          renameSync(`${path}.tmp`, path);
          return;
        }
        n--;
      }
    }
  }

  rejected(): RejectedEvent[] {
    try {
      return readFileSync(join(this.dir, 'rejected.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RejectedEvent);
    } catch {
      return [];
    }
  }

  /** Events waiting (sealed and still open segments), by source. */
  pending(): { total: number; bySource: Record<string, number> } {
    const progress = this.progress();
    const bySource: Record<string, number> = {};
    let total = 0;
    const check = eventChecker();
    for (const f of readdirSync(this.qdir)) {
      if (!f.endsWith('.jsonl') && !f.endsWith('.open')) continue;
      const lines = this.readLines(f).slice(progress[f] ?? 0);
      for (const line of lines) {
        const ev = parseEvent(line, check);
        if (!ev.ok) continue;
        total++;
        const s = ev.event.source ?? 'unknown';
        bySource[s] = (bySource[s] ?? 0) + 1;
      }
    }
    return { total, bySource };
  }
}

function parseEvent(line: string | undefined, check: (ev: unknown) => EventCheck): EventCheck | { ok: false; error: string } {
  if (!line) return { ok: false, error: 'empty line' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON (a write cut short)' };
  }
  return check(parsed);
}
