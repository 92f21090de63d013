// The price table as plain data, and the pure functions that turn tokens into dollars.
// Prices are USD per million tokens. Cost is always computed from the current table, so
// editing a price re-prices history; an unpriced model's cost is null, never 0.
import { isPattern, lookupNames, patternToRegExp } from './normalize.ts';

export interface PriceTier {
  /** The tier applies when a request's prompt (input + cache read + cache write) exceeds this. */
  threshold_tokens: number;
  input: number;
  output: number;
  cache_read: number | null;
  cache_write: number | null;
  cache_write_1h?: number | null;
}

export interface Price {
  model: string;
  provider: string;
  input: number;
  output: number;
  cache_read: number | null;
  cache_write: number | null;
  cache_write_1h?: number | null;
  tiers: PriceTier[];
  aliases: string[];
}

export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** The part of cache_write_tokens written with a 1-hour lifetime (0 or absent when unknown). */
  cache_write_1h_tokens?: number;
}

export class PriceTable {
  private readonly exact = new Map<string, Price>();
  private readonly patterns: { re: RegExp; price: Price; len: number }[] = [];
  private readonly memo = new Map<string, Price | null>();

  constructor(readonly prices: readonly Price[]) {
    for (const p of prices) {
      if (isPattern(p.model)) {
        this.patterns.push({ re: patternToRegExp(p.model), price: p, len: p.model.length });
        continue;
      }
      this.exact.set(p.model, p);
      this.exact.set(p.model.toLowerCase(), p);
    }
    // Aliases never override a row's own id.
    for (const p of prices) {
      for (const a of p.aliases) {
        if (!this.exact.has(a)) this.exact.set(a, p);
        if (!this.exact.has(a.toLowerCase())) this.exact.set(a.toLowerCase(), p);
      }
    }
    // The most specific pattern wins.
    this.patterns.sort((a, b) => b.len - a.len);
  }

  /** The price row for a recorded model name, or null when it is unknown. */
  lookup(model: string): Price | null {
    const hit = this.memo.get(model);
    if (hit !== undefined) return hit;
    const names = lookupNames(model);
    let found: Price | null = null;
    for (const n of names) {
      found = this.exact.get(n) ?? null;
      if (found) break;
    }
    if (!found) {
      outer: for (const { re, price } of this.patterns) {
        for (const n of names) if (re.test(n.toLowerCase())) { found = price; break outer; }
      }
    }
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(model, found);
    return found;
  }
}

/** Which price tier a single request falls in (0 = base). Decided per event at ingest. */
export function tierFor(price: Price | null, c: TokenCounts): number {
  if (!price || price.tiers.length === 0) return 0;
  const prompt = c.input_tokens + c.cache_read_tokens + c.cache_write_tokens;
  let tier = 0;
  price.tiers.forEach((t, i) => { if (prompt > t.threshold_tokens) tier = i + 1; });
  return tier;
}

/** USD per million tokens of each kind, for one price row at one tier. */
export interface Rates {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  cache_write_1h: number;
}

/**
 * The rates that apply. A missing cache price falls back to that tier's input price
 * (providers without a separate cache price bill those tokens as input); a missing 1-hour
 * write price falls back to the 5-minute one (what the provider bills when it has no
 * separate rate, and the honest guess when the table does not know it).
 */
export function ratesOf(price: Price, tier: number): Rates {
  const t = tier > 0 && price.tiers[tier - 1] ? price.tiers[tier - 1] : price;
  const cacheWrite = t.cache_write ?? t.input;
  return { input: t.input, output: t.output, cache_read: t.cache_read ?? t.input, cache_write: cacheWrite, cache_write_1h: t.cache_write_1h ?? cacheWrite };
}

/**
 * The cost formula — the only one in the product (ingest, re-pricing and every page use it):
 * each kind of token times its rate; 1-hour cache writes at their own rate, the rest of the
 * writes at the 5-minute rate.
 */
export function costOf(r: Rates, c: TokenCounts): number {
  const oneHour = Math.min(c.cache_write_1h_tokens ?? 0, c.cache_write_tokens);
  return (c.input_tokens * r.input + c.output_tokens * r.output + c.cache_read_tokens * r.cache_read
    + (c.cache_write_tokens - oneHour) * r.cache_write + oneHour * r.cache_write_1h) / 1e6;
}

/** Dollars for token sums billed at one tier of a price row. */
export function costUsd(price: Price, tier: number, c: TokenCounts): number {
  return costOf(ratesOf(price, tier), c);
}

/** Cost of a group of tokens: 0 for local models, null when the model has no price. */
export function groupCost(table: PriceTable, g: TokenCounts & { model: string; is_local: boolean; tier: number }): number | null {
  if (g.is_local) return 0;
  const price = table.lookup(g.model);
  return price ? costUsd(price, g.tier, g) : null;
}

/** Round away binary floating-point noise (to 1e-10 USD) so sums print stably. */
export function roundUsd(v: number): number {
  return Math.round(v * 1e10) / 1e10;
}
