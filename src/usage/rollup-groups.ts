// Rollup groups for the views that need more than the read model holds: a provider or
// source filter, per-model and per-source breakdowns, the top model of a row. The
// numbers follow the same reconciliation rule as user_days (src/usage/reconcile.ts), so a
// breakdown always adds up to the totals beside it: the SQL sums every rollup row, then
// the few person-days where provider-anchored numbers replaced self-reported ones
// (user_days.replaced_tokens > 0) are corrected row by row.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import { MEASURED_SOURCES, PROVIDER_ANCHORED } from './trust.ts';

export type SourceFilter = 'measured' | 'self-reported';

export interface RollupFilter {
  /** Only these users; undefined for everyone. */
  userIds?: number[];
  /** Inclusive day range; from null = since the beginning. */
  from: string | null;
  to: string;
  provider?: string | null;
  source?: SourceFilter | null;
}

export interface Group {
  user_id: number;
  provider: string;
  model: string;
  source: string;
  is_local: boolean;
  tier: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  events: number;
}

interface RawRow extends Omit<Group, 'is_local'> {
  day: string;
  is_local: number | boolean;
}

const COUNTS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'events'] as const;

/** The WHERE clause (over alias r) and its parameters for a filter. */
export function rollupWhere(f: RollupFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.userIds) {
    if (f.userIds.length === 0) parts.push('0');
    else { parts.push(`r.user_id IN (${f.userIds.map(() => '?').join(',')})`); params.push(...f.userIds); }
  }
  if (f.from !== null) { parts.push('r.day >= ?'); params.push(f.from); }
  parts.push('r.day <= ?');
  params.push(f.to);
  if (f.provider) { parts.push('r.provider = ?'); params.push(f.provider); }
  if (f.source) {
    parts.push(`r.source ${f.source === 'measured' ? '' : 'NOT '}IN (${MEASURED_SOURCES.map(() => '?').join(',')})`);
    params.push(...MEASURED_SOURCES);
  }
  return { sql: parts.join(' AND '), params };
}

export function matches(f: RollupFilter, r: { provider: string; source: string }): boolean {
  if (f.provider && r.provider !== f.provider) return false;
  if (f.source && MEASURED_SOURCES.includes(r.source) !== (f.source === 'measured')) return false;
  return true;
}

const keyOf = (g: { user_id: number; provider: string; model: string; source: string; is_local: number | boolean; tier: number }) =>
  `${g.user_id}\u0000${g.provider}\u0000${g.model}\u0000${g.source}\u0000${Number(g.is_local)}\u0000${g.tier}`;

/**
 * Groups per (user, provider, model, source, is_local, tier) over the filter, with the
 * reconciliation rule applied.
 */
export async function rollupGroups(db: Db, f: RollupFilter): Promise<Group[]> {
  const w = rollupWhere(f);
  const rows = await db.sequelize.query<RawRow>(
    `SELECT r.user_id, r.provider, r.model, r.source, r.is_local, r.tier,
            SUM(r.input_tokens) AS input_tokens, SUM(r.output_tokens) AS output_tokens,
            SUM(r.cache_read_tokens) AS cache_read_tokens, SUM(r.cache_write_tokens) AS cache_write_tokens,
            SUM(r.events) AS events
       FROM daily_rollups r WHERE ${w.sql}
      GROUP BY r.user_id, r.provider, r.model, r.source, r.is_local, r.tier`,
    { replacements: w.params, type: QueryTypes.SELECT });
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const g: Group = { ...r, user_id: Number(r.user_id), is_local: Boolean(Number(r.is_local)), tier: Number(r.tier) } as Group;
    for (const k of COUNTS) g[k] = Number(r[k]);
    groups.set(keyOf(g), g);
  }
  for (const d of await reconcileDeltas(db, f)) {
    const g = groups.get(keyOf(d));
    if (!g) continue;
    for (const k of COUNTS) g[k] += d[k];
  }
  return [...groups.values()];
}

/**
 * For person-days where provider-anchored numbers won, what the plain sums counted too
 * much: replaced self-reported tokens, and anchored events where self-reported events
 * exist (a provider's daily bucket is not one response). Negative deltas per group.
 */
async function reconcileDeltas(db: Db, f: RollupFilter): Promise<Group[]> {
  const w = rollupWhere({ userIds: f.userIds, from: f.from, to: f.to });
  const days = await db.sequelize.query<{ user_id: number; day: string }>(
    `SELECT r.user_id, r.day FROM user_days r WHERE ${w.sql} AND r.replaced_tokens > 0`,
    { replacements: w.params, type: QueryTypes.SELECT });
  if (days.length === 0) return [];
  const deltas: Group[] = [];
  // A handful of days in practice; chunked so the bound-parameter limit is never reached.
  for (let i = 0; i < days.length; i += 200) {
    const part = days.slice(i, i + 200);
    const raw = await db.sequelize.query<RawRow>(
      `SELECT user_id, day, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events
         FROM daily_rollups WHERE ${part.map(() => '(user_id = ? AND day = ?)').join(' OR ')}`,
      { replacements: part.flatMap((d) => [d.user_id, d.day]), type: QueryTypes.SELECT });
    const byDayProvider = new Map<string, RawRow[]>();
    for (const r of raw) {
      const k = `${r.user_id}\u0000${r.day}\u0000${r.provider}`;
      byDayProvider.set(k, [...(byDayProvider.get(k) ?? []), r]);
    }
    for (const rs of byDayProvider.values()) {
      const anchored = rs.some((r) => PROVIDER_ANCHORED.includes(r.source));
      const selfEvents = rs.some((r) => !PROVIDER_ANCHORED.includes(r.source) && Number(r.events) > 0);
      if (!anchored) continue;
      for (const r of rs) {
        if (!matches(f, r)) continue;
        const isAnchored = PROVIDER_ANCHORED.includes(r.source);
        const d: Group = { user_id: Number(r.user_id), provider: r.provider, model: r.model, source: r.source, is_local: Boolean(Number(r.is_local)), tier: Number(r.tier),
          input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, events: 0 };
        if (!isAnchored) for (const k of ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'] as const) d[k] = -Number(r[k]);
        if (isAnchored && selfEvents) d.events = -Number(r.events);
        deltas.push(d);
      }
    }
  }
  return deltas;
}

export function groupTokens(g: { input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number }): number {
  return g.input_tokens + g.output_tokens + g.cache_read_tokens + g.cache_write_tokens;
}
