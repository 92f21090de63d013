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

/** The counts of SliceCounts, in column order. */
export const COUNTS: readonly (keyof SliceCounts)[] = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'events'];

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

/** The model name of the Copilot CLI totals in GitHub's usage report (it names no model). */
export const COPILOT_CLI_MODEL = 'copilot-cli';

/**
 * What a rollup row measures, for the reconciliation rule: normally its provider (an Admin
 * API reports what that provider served). GitHub Copilot serves its users' requests itself,
 * whatever the model's maker, so its local sources are never in Anthropic's or OpenAI's
 * reports. GitHub's usage report counts the CLI's tokens as the CLI's own export does: the
 * two share a meter and the report wins. It has no IDE tokens, so VS Code Copilot Chat logs
 * keep a meter nothing replaces.
 */
export function meterOf(r: { provider: string; source: string; model: string }): string {
  if (r.source === 'copilot-cli' || (r.source === 'github-copilot' && r.model === COPILOT_CLI_MODEL)) return 'github-copilot:cli';
  if (r.source === 'copilot-vscode') return 'github-copilot:ide-logs';
  return r.provider;
}

/**
 * The reconciliation rule, per (person, day, provider) — per meter (meterOf), which is the
 * provider but for Copilot's sources: when provider-trust numbers exist they win for tokens
 * and cost, and the other sources' tokens of that meter and day are kept aside as replaced.
 * Messages stay the others' count when there is one, because a provider's daily bucket is
 * not one response. Days without provider-trust data count everything.
 *
 * As data: what the rule takes off each rollup row of one person-day (all of a replaced
 * row's tokens; a provider row's messages), in the rows' order. The ledger stores these
 * (rollup_corrections) so readers subtract them instead of re-deriving the rule.
 */
export function dayCorrections(rows: DayRollup[]): SliceCounts[] {
  const anchored = new Set(rows.filter((r) => PROVIDER_SOURCES.includes(r.source)).map(meterOf));
  const selfEvents = new Set<string>();
  for (const r of rows) if (!PROVIDER_SOURCES.includes(r.source) && r.events > 0) selfEvents.add(meterOf(r));
  return rows.map((r) => {
    const meter = meterOf(r);
    if (!anchored.has(meter)) return NONE;
    if (!PROVIDER_SOURCES.includes(r.source)) {
      return { input_tokens: r.input_tokens, output_tokens: r.output_tokens, cache_read_tokens: r.cache_read_tokens, cache_write_tokens: r.cache_write_tokens, cache_write_1h_tokens: r.cache_write_1h_tokens, events: 0 };
    }
    // A provider's bucket counts as messages only where nothing else counted that day's messages.
    return selfEvents.has(meter) ? { ...NONE, events: r.events } : NONE;
  });
}

const NONE: SliceCounts = Object.freeze({ input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, events: 0 });

export const isNone = (c: SliceCounts) => c.input_tokens === 0 && c.output_tokens === 0 && c.cache_read_tokens === 0 && c.cache_write_tokens === 0 && c.cache_write_1h_tokens === 0 && c.events === 0;

/** One person-day's slices under the rule (dayCorrections); cost is always at the current prices. */
export function reconcileSlices(rows: DayRollup[], prices: PriceTable): Slice[] {
  const corrections = dayCorrections(rows);
  const slices = new Map<string, Slice>();
  rows.forEach((r, i) => {
    const key = `${r.provider}\u0000${r.source}`;
    let s = slices.get(key);
    if (!s) {
      slices.set(key, (s = { provider: r.provider, source: r.source, tokens: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, events: 0, cost_usd: 0, unpriced_tokens: 0, replaced_tokens: 0 }));
    }
    const c = corrections[i];
    const replaced = tokensOf(c);
    const t = tokensOf(r) - replaced;
    s.replaced_tokens += replaced;
    if (replaced === 0) {
      // A replaced row loses all its tokens (dayCorrections); the others count whole.
      s.input_tokens += r.input_tokens;
      s.output_tokens += r.output_tokens;
      s.cache_read_tokens += r.cache_read_tokens;
      s.cache_write_tokens += r.cache_write_tokens;
      s.tokens += t;
      const cost = groupCost(prices, r);
      if (cost === null) s.unpriced_tokens += t;
      else s.cost_usd += cost;
    }
    s.events += r.events - c.events;
  });
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
