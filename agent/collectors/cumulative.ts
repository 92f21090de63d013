// The rule for tools that keep only a running total per session (Goose, Factory Droid,
// Hermes; DESIGN "Counting rules"): one event per increase of a session's total.
//
// - State: per series (a session, or a session and model), the highest total counted so
//   far, kept in the cursors' per-collector extra under a digest of the series key (the
//   state dir never holds a raw session id or path).
// - A total that goes down: the session was rewritten (a restored backup, an older copy of
//   the same session read from another file, a recount). Everything up to the highest total
//   seen was already sent, so nothing is sent until a count rises above that mark, and then
//   only the part above it, per count. This can miss usage made right after a restore (it
//   is hidden below the old mark); it never counts a token twice.
// - A session that really starts again from zero under the same id (deleted and created
//   anew) is told apart by its `generation` (its creation time): a new generation is a new
//   series, counted from zero, with ids of its own.
// - An increase above the wire's per-event limit is sent as several events whose counts add
//   up exactly to it (split.ts, the rule every collector uses).
// - Event ids come from the series digest, its generation and the total reached (plus the
//   piece's number), so reading the same totals again gives the same ids and counts once.
import type { WireEvent } from '../wire.ts';
import { eventId, sessionKey } from '../ids.ts';
import type { ScanContext, Source } from './context.ts';
import { splitCounts, type Counts } from './split.ts';

/** A running total: [input, output, cache read, cache write (all), the 1-hour part of cache write]. */
export type { Counts };

export const ZERO: Counts = [0, 0, 0, 0, 0];

export interface Snapshot {
  /** The tool's own id of the series (a session id, or session + model): digested, never stored. */
  series: string;
  /** The session's creation time as the tool stores it ('' when it has none). */
  generation?: string;
  counts: Counts;
  /** When this total was reached (ms), or how to find out (asked only when it made an event). */
  ts: number | (() => number);
  provider: string;
  model: string;
  /** The salted session hash for the wire. */
  session?: string;
}

interface SeriesState {
  /** Highest total counted, per count. */
  t: Counts;
  /** Digest of the generation ('' when the tool gave none). */
  g: string;
}

const sum = (c: Counts): number => c[0] + c[1] + c[2] + c[3];

/** The running totals of one collector, remembered across scans. */
export class RunningTotals {
  private readonly state: Record<string, SeriesState>;

  constructor(private readonly ctx: ScanContext, private readonly source: Source, private readonly prefix: string) {
    this.state = ctx.cursors.extra<Record<string, SeriesState>>(`${source}-totals`, () => ({}));
  }

  /** The events for what this snapshot adds to its series (none when it adds nothing). */
  advance(snap: Snapshot): WireEvent[] {
    const key = sessionKey(`${this.source}:${snap.series}`);
    const gen = snap.generation ? sessionKey(`generation:${snap.generation}`) : '';
    const prev = this.state[key];
    // A series seen before without a generation (e.g. Goose's legacy file) adopts the one its
    // store row gives; only two different known generations mean a new session.
    const fresh = !prev || (gen !== '' && prev.g !== '' && prev.g !== gen);
    const base = fresh ? ZERO : prev.t;
    const high = snap.counts.map((v, i) => Math.max(v, base[i])) as Counts;
    const delta = snap.counts.map((v, i) => Math.max(0, v - base[i])) as Counts;
    const g = gen || (fresh ? '' : prev.g);
    this.state[key] = { t: high, g };
    // The 1-hour part can never exceed the cache write it belongs to.
    delta[4] = Math.min(delta[4], delta[3]);
    if (sum(delta) === 0) return [];
    const ts = typeof snap.ts === 'function' ? snap.ts() : snap.ts;
    if (this.ctx.sinceMs !== null && ts < this.ctx.sinceMs) return [];
    return splitCounts(delta).map((c, i) => {
      const ev: WireEvent = {
        ts, provider: snap.provider, model: snap.model, is_local: false,
        input_tokens: c[0], output_tokens: c[1], cache_read_tokens: c[2], cache_write_tokens: c[3],
        id: eventId(this.prefix, key, g, ...high, i), source: this.source,
      };
      if (c[4]) ev.cache_write_1h_tokens = c[4];
      if (snap.session) ev.session = snap.session;
      return ev;
    });
  }
}

/**
 * The snapshots of each series, the largest kept: the same session read from two places in
 * one scan (an archived copy, Goose's legacy file beside its store row) counts once.
 */
export function largestPerSeries(snaps: Snapshot[]): Snapshot[] {
  const best = new Map<string, Snapshot>();
  for (const s of snaps) {
    const b = best.get(s.series);
    if (!b || sum(s.counts) > sum(b.counts)) best.set(s.series, s);
  }
  return [...best.values()];
}
