// Usage events from Claude Code's `claude_code.token.usage` metric. Delta points (Claude
// Code's default) are increments; cumulative points are diffed against the last value of
// their series, with a changed start time or a decrease read as a restart. Used only for
// users whose Claude Code does not send `api_request` log events, which are preferred
// (they carry request ids): never both for the same data.
import { createHash } from 'node:crypto';
import type { WireEvent } from '../../agent/wire.ts';
import { arr, attributes, nanosToMs, obj, str, toNumber } from './values.ts';

export interface Point {
  series: string;
  cumulative: boolean;
  start_ns: string;
  time_ns: string;
  value: number;
  kind: 'input' | 'output' | 'cacheRead' | 'cacheCreation';
  model: string;
  session: string | null;
}

const KINDS = new Set(['input', 'output', 'cacheRead', 'cacheCreation']);

/** The token-usage points of an ExportMetricsServiceRequest, plus how many were unusable. */
export function tokenPoints(body: unknown): { points: Point[]; rejected: number } {
  const points: Point[] = [];
  let rejected = 0;
  for (const rm of arr(obj(body).resourceMetrics)) {
    const resource = attributes(obj(obj(rm).resource).attributes);
    const resourceKey = [...resource.entries()].sort().map(([k, v]) => `${k}=${v}`).join('\u0001');
    for (const sm of arr(obj(rm).scopeMetrics)) {
      for (const m of arr(obj(sm).metrics)) {
        const metric = obj(m);
        if (metric.name !== 'claude_code.token.usage') continue;
        const sum = obj(metric.sum);
        const cumulative = Number(sum.aggregationTemporality) === 2;
        for (const dp of arr(sum.dataPoints)) {
          const p = obj(dp);
          const attrs = attributes(p.attributes);
          const kind = str(attrs, 'type');
          const model = str(attrs, 'model');
          const value = toNumber(p.asInt) ?? toNumber(p.asDouble);
          if (!kind || !KINDS.has(kind) || !model || value === null || value < 0 || nanosToMs(p.timeUnixNano) === null) { rejected++; continue; }
          const attrKey = [...attrs.entries()].sort().map(([k, v]) => `${k}=${v}`).join('\u0001');
          points.push({
            series: createHash('sha256').update(`${metric.name}\u0000${attrKey}\u0000${resourceKey}`).digest('hex'),
            cumulative, start_ns: String(p.startTimeUnixNano ?? ''), time_ns: String(p.timeUnixNano), value,
            kind: kind as Point['kind'], model, session: str(attrs, 'session.id'),
          });
        }
      }
    }
  }
  return { points, rejected };
}

export interface SeriesState { start_ns: string; value: number }

/**
 * Turns points into increments (cumulative ones against `state`, which is updated in
 * place) and folds the increments of one export time, model and session into one event.
 */
export function eventsFromPoints(points: Point[], state: Map<string, SeriesState>): { events: WireEvent[]; sessions: (string | null)[] } {
  const groups = new Map<string, { ev: WireEvent; session: string | null }>();
  const sorted = [...points].sort((a, b) => (a.time_ns < b.time_ns ? -1 : a.time_ns > b.time_ns ? 1 : 0));
  for (const p of sorted) {
    let inc = p.value;
    if (p.cumulative) {
      const last = state.get(p.series);
      inc = last && last.start_ns === p.start_ns && p.value >= last.value ? p.value - last.value : p.value;
      state.set(p.series, { start_ns: p.start_ns, value: p.value });
    }
    inc = Math.round(inc);
    if (inc <= 0) continue;
    const key = `${p.session ?? ''}\u0000${p.model}\u0000${p.time_ns}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        session: p.session,
        ev: {
          ts: nanosToMs(p.time_ns)!, provider: 'anthropic', model: p.model, is_local: false,
          input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0,
          id: `otlp-m:${createHash('sha256').update(`${key}\u0000${p.cumulative ? 'c' : p.start_ns}`).digest('hex').slice(0, 40)}`,
          source: 'otlp',
        },
      };
      groups.set(key, g);
    }
    if (p.kind === 'input') g.ev.input_tokens += inc;
    else if (p.kind === 'output') g.ev.output_tokens += inc;
    else if (p.kind === 'cacheRead') g.ev.cache_read_tokens += inc;
    else g.ev.cache_write_tokens += inc;
  }
  const list = [...groups.values()];
  return { events: list.map((g) => g.ev), sessions: list.map((g) => g.session) };
}
