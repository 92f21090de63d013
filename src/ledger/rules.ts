// The counting rules behind every derived number, as pure functions: trust levels, the
// facets a filter can select, and the reconciliation rule. The ledger applies them when it
// writes; readers never re-derive them.
import { groupCost, type PriceTable } from '../pricing/table.ts';

/** DESIGN's trust table: who measured a number. */
export type Trust = 'provider' | 'device' | 'self-reported';
export const TRUST_LEVELS: readonly Trust[] = ['provider', 'device', 'self-reported'];

/** The vendors' own usage APIs, imported by the server: nobody can forge them. */
export const PROVIDER_SOURCES: readonly string[] = ['anthropic-admin', 'openai-admin', 'cursor-admin', 'github-copilot'];
/** Read from the provider's response on the person's machine. */
export const DEVICE_SOURCES: readonly string[] = ['proxy', 'otlp'];
/** Written by the server itself; an agent may not claim them (compared case-insensitively). */
export const SERVER_SOURCES: readonly string[] = [...PROVIDER_SOURCES, 'otlp'];

export function trustOf(source: string): Trust {
  if (PROVIDER_SOURCES.includes(source)) return 'provider';
  if (DEVICE_SOURCES.includes(source)) return 'device';
  return 'self-reported';
}

export function isServerSource(source: string): boolean {
  return SERVER_SOURCES.includes(source.toLowerCase());
}

export function isTrust(v: unknown): v is Trust {
  return typeof v === 'string' && (TRUST_LEVELS as readonly string[]).includes(v);
}

/**
 * A facet is one value a leaderboard filter can select: a provider, a tool (the source of
 * the usage) or a trust level. The ledger keeps per-person sums for each, so a filtered
 * view reads as few rows as an unfiltered one.
 */
export type Facet = `provider:${string}` | `tool:${string}` | `trust:${Trust}`;

export function facetsOf(provider: string, source: string): Facet[] {
  return [`provider:${provider}`, `tool:${source}`, `trust:${trustOf(source)}`];
}

export interface SliceCounts {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  events: number;
}

/** One rollup row of a person-day (as the ledger stores them). */
export interface DayRollup extends SliceCounts {
  provider: string;
  model: string;
  source: string;
  is_local: boolean;
  tier: number;
}

/** What one (provider, source) of a person-day counts for, after the rule. */
export interface Slice {
  provider: string;
  source: string;
  tokens: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  events: number;
  cost_usd: number;
  unpriced_tokens: number;
  /** Self-reported tokens left out because the provider's own numbers won. */
  replaced_tokens: number;
}

export const tokensOf = (c: { input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number }) =>
  c.input_tokens + c.output_tokens + c.cache_read_tokens + c.cache_write_tokens;

/**
 * The reconciliation rule, per (person, day, provider): when provider-trust numbers exist
 * they win for tokens and cost, and the other sources' tokens of that provider and day are
 * kept aside as replaced. Messages stay the others' count when there is one, because a
 * provider's daily bucket is not one response. Days without provider-trust data count
 * everything. Cost is always at the current prices.
 */
export function reconcileSlices(rows: DayRollup[], prices: PriceTable): Slice[] {
  const anchoredProviders = new Set(rows.filter((r) => PROVIDER_SOURCES.includes(r.source)).map((r) => r.provider));
  const selfEvents = new Map<string, number>();
  for (const r of rows) if (!PROVIDER_SOURCES.includes(r.source)) selfEvents.set(r.provider, (selfEvents.get(r.provider) ?? 0) + r.events);
  const slices = new Map<string, Slice>();
  for (const r of rows) {
    const key = `${r.provider}\u0000${r.source}`;
    let s = slices.get(key);
    if (!s) {
      slices.set(key, (s = { provider: r.provider, source: r.source, tokens: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, events: 0, cost_usd: 0, unpriced_tokens: 0, replaced_tokens: 0 }));
    }
    const anchored = anchoredProviders.has(r.provider);
    const isProvider = PROVIDER_SOURCES.includes(r.source);
    const t = tokensOf(r);
    if (anchored && !isProvider) {
      s.replaced_tokens += t;
    } else {
      s.input_tokens += r.input_tokens;
      s.output_tokens += r.output_tokens;
      s.cache_read_tokens += r.cache_read_tokens;
      s.cache_write_tokens += r.cache_write_tokens;
      s.tokens += t;
      const cost = groupCost(prices, r);
      if (cost === null) s.unpriced_tokens += t;
      else s.cost_usd += cost;
    }
    // A provider's bucket counts as messages only where nothing else counted that day's messages.
    if (!(isProvider && (selfEvents.get(r.provider) ?? 0) > 0)) s.events += r.events;
  }
  return [...slices.values()];
}

export interface DayFigures {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  events: number;
  cost_usd: number;
  unpriced_tokens: number;
  replaced_tokens: number;
}

/** A person-day's figures: the sum of its slices. */
export function dayFigures(slices: Slice[]): DayFigures {
  const out: DayFigures = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, events: 0, cost_usd: 0, unpriced_tokens: 0, replaced_tokens: 0 };
  for (const s of slices) {
    out.input_tokens += s.input_tokens;
    out.output_tokens += s.output_tokens;
    out.cache_read_tokens += s.cache_read_tokens;
    out.cache_write_tokens += s.cache_write_tokens;
    out.events += s.events;
    out.cost_usd += s.cost_usd;
    out.unpriced_tokens += s.unpriced_tokens;
    out.replaced_tokens += s.replaced_tokens;
  }
  return out;
}

export interface FacetFigures {
  tokens: number;
  events: number;
  cost_usd: number;
  unpriced_tokens: number;
  replaced_tokens: number;
}

/** A person-day's figures per facet. */
export function facetFigures(slices: Slice[]): Map<Facet, FacetFigures> {
  const out = new Map<Facet, FacetFigures>();
  for (const s of slices) {
    for (const f of facetsOf(s.provider, s.source)) {
      let x = out.get(f);
      if (!x) out.set(f, (x = { tokens: 0, events: 0, cost_usd: 0, unpriced_tokens: 0, replaced_tokens: 0 }));
      x.tokens += s.tokens;
      x.events += s.events;
      x.cost_usd += s.cost_usd;
      x.unpriced_tokens += s.unpriced_tokens;
      x.replaced_tokens += s.replaced_tokens;
    }
  }
  return out;
}
