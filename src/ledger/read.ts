// What readers ask the ledger: per-person figures over a window and a filter (from the read
// model the ledger keeps, so an unfiltered or single-filter view reads one row per person
// and day, never the events), rollup breakdowns with the reconciliation rule applied (so a
// breakdown adds up to the totals beside it), and the versions that say when any of it changed.
import type { Db } from '../db/connect.ts';
import * as read from '../db/repos/usage-read.ts';
import type { Days } from '../db/repos/usage-read.ts';
import { readVersions, settledChanges, SETTLED_CHANGES_KEPT, type Versions } from '../db/repos/versions.ts';
import { groupCost, type PriceTable } from '../pricing/table.ts';
import type { Figures } from '../usage/ranking.ts';
import { COUNTS, DEVICE_SOURCES, PROVIDER_SOURCES, TRUST_LEVELS, trustOf, type Facet, type Trust } from './rules.ts';
import { addDays } from '../usage/days.ts';
import { lastSettledDay } from './settled.ts';

export type { Days } from '../db/repos/usage-read.ts';
export type { Versions } from '../db/repos/versions.ts';

/** `measured` (provider and device together) is the older two-level filter, kept for links people saved. */
export type SourceFilter = Trust | 'measured';

export interface UsageFilter {
  provider?: string | null;
  /** A trust level. */
  source?: SourceFilter | null;
  /** One tool (a source such as claude-code). */
  tool?: string | null;
}

export interface Group extends read.GroupRow {}

const MEASURED: readonly string[] = [...PROVIDER_SOURCES, ...DEVICE_SOURCES];

function sourcesOf(f: UsageFilter): { sources?: readonly string[]; notSources?: readonly string[] } {
  if (f.tool) return { sources: f.source && !matchesTrust(f.source, f.tool) ? [] : [f.tool] };
  if (f.source === 'measured') return { sources: MEASURED };
  if (f.source === 'provider') return { sources: PROVIDER_SOURCES };
  if (f.source === 'device') return { sources: DEVICE_SOURCES };
  if (f.source === 'self-reported') return { notSources: MEASURED };
  return {};
}

function matchesTrust(filter: SourceFilter, source: string): boolean {
  const t = trustOf(source);
  return filter === 'measured' ? t !== 'self-reported' : t === filter;
}

export function matches(f: UsageFilter, r: { provider: string; source: string }): boolean {
  if (f.provider && r.provider !== f.provider) return false;
  if (f.tool && r.source !== f.tool) return false;
  if (f.source && !matchesTrust(f.source, r.source)) return false;
  return true;
}

/** The one facet a filter selects, when it selects exactly one. */
export function facetOf(f: UsageFilter): Facet | null {
  const set = [f.provider, f.source, f.tool].filter(Boolean).length;
  if (set !== 1) return null;
  if (f.provider) return `provider:${f.provider}`;
  if (f.tool) return `tool:${f.tool}`;
  if (f.source && (TRUST_LEVELS as readonly string[]).includes(f.source)) return `trust:${f.source as Trust}`;
  return null;
}

const keyOf = (g: { user_id: number; provider: string; model: string; source: string; is_local: boolean; tier: number }) =>
  `${g.user_id}\u0000${g.provider}\u0000${g.model}\u0000${g.source}\u0000${g.is_local}\u0000${g.tier}`;

/**
 * Groups per (user, provider, model, source, is_local, tier) over a range and filter, with
 * the reconciliation rule applied: all time reads the ledger's totals, which hold it; a
 * range sums the rollups and takes off the rule's stored corrections of its days.
 */
export async function rollupGroups(db: Db, f: { userIds?: number[] } & Days & UsageFilter): Promise<Group[]> {
  const filter = { userIds: f.userIds, from: f.from, to: f.to, provider: f.provider, ...sourcesOf(f) };
  const groups = await read.rollupGroups(db.sql, filter);
  if (f.from === null) return groups;
  const byKey = new Map(groups.map((g) => [keyOf(g), g]));
  for (const c of await read.correctionSums(db.sql, filter)) {
    const g = byKey.get(keyOf(c));
    if (g) for (const k of COUNTS) g[k] -= c[k];
  }
  return groups;
}

const empty = (): Figures => ({ tokens: 0, cost_usd: 0, unpriced_tokens: 0, messages: 0, sessions: 0, active_days: 0, models: null, skills: null });

/**
 * Everyone's figures over a range and filter. Unfiltered and single-facet views read the
 * read model (a row per person and day at most); other combinations fold the rollups.
 */
export async function figuresByPerson(db: Db, range: Days, filter: UsageFilter, prices: PriceTable, sessionWindow: { start: number; end: number }, settled?: SettledAt): Promise<Map<number, Figures>> {
  const out = new Map<number, Figures>();
  const facet = facetOf(filter);
  const filtered = Boolean(filter.provider || filter.source || filter.tool);
  if (!filtered) {
    for (const r of await personSums(db, range, settled)) {
      out.set(r.user_id, { ...empty(), tokens: r.tokens, cost_usd: r.cost_usd, unpriced_tokens: r.unpriced_tokens, messages: r.events, sessions: r.sessions, active_days: r.active_days });
    }
    return out;
  }
  if (facet) {
    for (const r of await facetSums(db, facet, range, settled)) {
      out.set(r.user_id, { ...empty(), tokens: r.tokens, cost_usd: r.cost_usd, unpriced_tokens: r.unpriced_tokens, messages: r.events, sessions: r.sessions, active_days: r.active_days });
    }
    return out;
  }
  for (const g of await rollupGroups(db, { ...range, ...filter })) {
    let fig = out.get(g.user_id);
    if (!fig) out.set(g.user_id, (fig = empty()));
    const tokens = g.input_tokens + g.output_tokens + g.cache_read_tokens + g.cache_write_tokens;
    fig.tokens += tokens;
    fig.messages += g.events;
    const cost = groupCost(prices, g);
    if (cost === null) fig.unpriced_tokens += tokens; else fig.cost_usd += cost;
  }
  const active = await read.activeDaysBy(db.sql, { ...range, provider: filter.provider, ...sourcesOf(filter) });
  for (const [id, n] of active) { const fig = out.get(id); if (fig) fig.active_days = n; }
  // A session counts for the provider and tool of its first event.
  for (const s of await read.sessionCounts(db.sql, sessionWindow.start, sessionWindow.end)) {
    const fig = out.get(s.user_id);
    if (fig && matches(filter, s)) fig.sessions += s.n;
  }
  return out;
}

export async function modelCounts(db: Db, range: Days, filter: UsageFilter): Promise<Map<number, number>> {
  return read.modelCounts(db.sql, { ...range, provider: filter.provider, ...sourcesOf(filter) });
}

/** Skills carry no provider or source: filters do not apply to them. */
export function skillCounts(db: Db, range: Days): Promise<Map<number, number>> {
  return read.skillCounts(db.sql, range);
}

/** The data versions: a cache of anything derived keeps the version it was computed at. */
export function versions(db: Db): Promise<Versions> {
  return readVersions(db.sql);
}

// Per-person sums of a range: the settled days' part (settled.ts) is kept per range and
// facet until the `settled` version moves, so after fresh usage a range reads only its live
// days (three rows per person at most) beside it. Without `settled` (callers that run once:
// budgets, digests) everything is read fresh.

/** The reader's day and the `settled` version it read before any of its rows (see splitSums). */
export interface SettledAt { today: string; version: number }
const SETTLED_CACHE_MAX = 64;
const settledCache = new WeakMap<Db, Map<string, { version: number; rows: Map<number, unknown> }>>();

async function splitSums<T extends { user_id: number }>(db: Db, kind: string, range: Days, at: SettledAt | undefined,
  sums: (d: { from: string; to: string }, userIds?: number[]) => Promise<T[]>, add: (a: T, b: T) => T): Promise<T[]> {
  if (range.from === null || at === undefined) return sums(range as { from: string; to: string });
  const last = lastSettledDay(at.today);
  const settledTo = last < range.to ? last : range.to;
  if (settledTo < range.from) return sums({ from: range.from, to: range.to });
  let cache = settledCache.get(db);
  if (!cache) settledCache.set(db, (cache = new Map()));
  // The caller read the version before any rows: a write committed in between makes the
  // next request read again, never keep what it changed.
  const { version } = at;
  const key = `${kind}|${range.from}|${settledTo}`;
  const hit = cache.get(key);
  let settled = hit && hit.version === version ? (hit.rows as Map<number, T>) : null;
  if (!settled && hit && hit.version < version) {
    settled = await patchSettled(db, hit.rows as Map<number, T>, hit.version, version, { from: range.from, to: settledTo }, sums);
  }
  if (!settled) settled = new Map((await sums({ from: range.from, to: settledTo })).map((r) => [r.user_id, r]));
  if (hit?.rows !== settled || hit.version !== version) {
    cache.delete(key);
    if (cache.size >= SETTLED_CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, { version, rows: settled });
  }
  const out = new Map([...settled].map(([id, r]) => [id, { ...r }]));
  if (settledTo < range.to) {
    for (const r of await sums({ from: addDays(settledTo, 1), to: range.to })) {
      const had = out.get(r.user_id);
      out.set(r.user_id, had ? add(had, r) : r);
    }
  }
  return [...out.values()];
}

/**
 * Settled sums kept at version `from`, brought to `to` by re-reading only the people whose
 * settled days the versions in between changed (settled_changes); null when some version in
 * between was not one person's change (re-pricing, an import…: everyone is read again).
 */
async function patchSettled<T extends { user_id: number }>(db: Db, rows: Map<number, T>, from: number, to: number, days: { from: string; to: string },
  sums: (d: { from: string; to: string }, userIds?: number[]) => Promise<T[]>): Promise<Map<number, T> | null> {
  if (to - from > SETTLED_CHANGES_KEPT) return null;
  const changes = await settledChanges(db.sql, from, to);
  if (changes.length !== to - from) return null;
  const who = [...new Set(changes.filter((c) => c.first_day <= days.to && c.last_day >= days.from).map((c) => c.user_id))];
  if (!who.length) return rows;
  const out = new Map(rows);
  for (const id of who) out.delete(id);
  for (const r of await sums(days, who)) out.set(r.user_id, r);
  return out;
}

const addPerson = (a: read.PersonSums, b: read.PersonSums): read.PersonSums => ({
  user_id: a.user_id, input_tokens: a.input_tokens + b.input_tokens, output_tokens: a.output_tokens + b.output_tokens,
  cache_read_tokens: a.cache_read_tokens + b.cache_read_tokens, cache_write_tokens: a.cache_write_tokens + b.cache_write_tokens, tokens: a.tokens + b.tokens,
  cost_usd: a.cost_usd + b.cost_usd, unpriced_tokens: a.unpriced_tokens + b.unpriced_tokens, replaced_tokens: a.replaced_tokens + b.replaced_tokens,
  events: a.events + b.events, sessions: a.sessions + b.sessions, active_days: a.active_days + b.active_days,
  last_day: a.last_day === null || (b.last_day !== null && b.last_day > a.last_day) ? b.last_day : a.last_day,
});

const addFacet = (a: read.FacetSums, b: read.FacetSums): read.FacetSums => ({
  user_id: a.user_id, tokens: a.tokens + b.tokens, cost_usd: a.cost_usd + b.cost_usd, unpriced_tokens: a.unpriced_tokens + b.unpriced_tokens,
  events: a.events + b.events, sessions: a.sessions + b.sessions, active_days: a.active_days + b.active_days,
});

/** Per-person sums (read model) over a range; with `settled` the settled days may come from the cache. */
export function personSums(db: Db, range: Days, settled?: SettledAt): Promise<read.PersonSums[]> {
  return splitSums(db, 'all', range, settled, (d, who) => read.personSums(db.sql, d, who), addPerson);
}

/** Per-person sums of one facet over a range; `settled` as for personSums. */
export function facetSums(db: Db, facet: Facet, range: Days, settled?: SettledAt): Promise<read.FacetSums[]> {
  return splitSums(db, `facet:${facet}`, range, settled, (d, who) => read.facetSums(db.sql, facet, d, who), addFacet);
}

export const firstDays = (db: Db) => read.firstDays(db.sql);
export const activePersonDays = (db: Db, from: string, to: string) => read.activePersonDays(db.sql, from, to);
export const activeFacetDays = (db: Db, prefix: 'tool:' | 'provider:' | 'trust:', range: Days) => read.activeFacetDays(db.sql, prefix, range);
/** What vendors billed a person (Cursor's charged cents) per source over a range: beside cost_usd, never in it. */
export const vendorCharges = (db: Db, userId: number, range: Days) => read.chargesOf(db.sql, userId, range);
export const daysOf = (db: Db, userId: number, to: string) => read.daysOf(db.sql, userId, to);
export const dailyTokens = (db: Db, userIds: number[], from: string, to: string) => read.dailyTokens(db.sql, userIds, from, to);
export const recentSessions = (db: Db, userId: number, start: number, end: number, limit: number) => read.recentSessions(db.sql, userId, start, end, limit);
export const skillsOf = (db: Db, userId: number, range: Days, limit: number) => read.skillsOf(db.sql, userId, range, limit);
export const csvSums = (db: Db, range: Days) => read.csvSums(db.sql, range);
export const cloudModels = (db: Db) => read.cloudModels(db.sql);
export const knownFacetValues = (db: Db, prefix: 'provider:' | 'tool:') => read.facetValues(db.sql, prefix);
