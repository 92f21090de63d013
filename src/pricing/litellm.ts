// Importing LiteLLM's model_prices_and_context_window.json: parse (prices per token →
// per million), compare with the current table for a preview, apply in one transaction
// (re-pricing history once). Only direct-provider ids are taken: keys routed through a
// cloud reseller (bedrock/, azure/, vertex_ai/, openrouter/ …) price differently.
import type { Db } from '../db/connect.ts';
import { BadInput } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import type { Price, PriceTier } from './table.ts';
import { listPrices } from './store.ts';
import * as pricesRepo from '../db/repos/prices.ts';
import { changePrices } from '../ledger/prices.ts';

const DIRECT_PREFIXES = ['anthropic/', 'openai/', 'gemini/', 'xai/', 'deepseek/', 'moonshot/', 'dashscope/', 'mistral/'];
const CHAT_MODES = new Set(['chat', 'completion', 'responses', undefined]);
const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** A price row as the file gives it: LiteLLM has no aliases. */
export type ImportedPrice = Omit<Price, 'aliases'>;

export interface ImportDiff {
  added: ImportedPrice[];
  changed: { before: Price; after: ImportedPrice }[];
  unchanged: number;
  skipped: number;
}

const perM = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v * 1e6 * 1e9) / 1e9 : null);

/** Parses the file's text; a clear error for anything that is not that format. */
export function parseLiteLLM(text: string): { prices: ImportedPrice[]; skipped: number } {
  if (text.length > MAX_FILE_BYTES) throw new BadInput(`file: larger than ${MAX_FILE_BYTES / 1024 / 1024} MB; is this the right file?`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new BadInput(`file: not valid JSON (${String((err as Error).message).slice(0, 120)})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new BadInput('file: expected a JSON object of model names, as in LiteLLM\'s model_prices_and_context_window.json');
  const prices = new Map<string, ImportedPrice>();
  let skipped = 0;
  for (const [key, raw] of Object.entries(data as Record<string, unknown>)) {
    if (key === 'sample_spec') continue;
    if (raw === null || typeof raw !== 'object') { skipped++; continue; }
    const e = raw as Record<string, unknown>;
    const prefix = DIRECT_PREFIXES.find((p) => key.startsWith(p));
    const model = prefix ? key.slice(prefix.length) : key;
    const input = perM(e.input_cost_per_token);
    const output = perM(e.output_cost_per_token);
    if (model.includes('/') || !CHAT_MODES.has(e.mode as string | undefined) || input === null || output === null || model.length > 128) { skipped++; continue; }
    // A bare id wins over the same id under a provider prefix.
    if (prefix && prices.has(model)) { skipped++; continue; }
    const tiers: PriceTier[] = [];
    for (const [k, v] of Object.entries(e)) {
      const m = /^input_cost_per_token_above_(\d+)k_tokens$/.exec(k);
      if (!m || perM(v) === null) continue;
      const n = m[1];
      tiers.push({
        threshold_tokens: Number(n) * 1000, input: perM(v)!,
        output: perM(e[`output_cost_per_token_above_${n}k_tokens`]) ?? output,
        cache_read: perM(e[`cache_read_input_token_cost_above_${n}k_tokens`]),
        cache_write: perM(e[`cache_creation_input_token_cost_above_${n}k_tokens`]),
        cache_write_1h: perM(e[`cache_creation_input_token_cost_above_1hr_above_${n}k_tokens`]),
      });
    }
    tiers.sort((a, b) => a.threshold_tokens - b.threshold_tokens);
    prices.set(model, {
      model, provider: typeof e.litellm_provider === 'string' ? e.litellm_provider : '', input, output,
      cache_read: perM(e.cache_read_input_token_cost), cache_write: perM(e.cache_creation_input_token_cost),
      // Anthropic's 1-hour cache writes (2x input, against 1.25x for 5-minute ones).
      cache_write_1h: perM(e.cache_creation_input_token_cost_above_1hr), tiers,
    });
  }
  if (prices.size === 0) throw new BadInput('file: no model with input_cost_per_token and output_cost_per_token found; is this LiteLLM\'s price file?');
  return { prices: [...prices.values()], skipped };
}

function same(a: Price, b: ImportedPrice): boolean {
  return a.input === b.input && a.output === b.output && a.cache_read === b.cache_read && a.cache_write === b.cache_write
    && (a.cache_write_1h ?? null) === b.cache_write_1h && JSON.stringify(a.tiers) === JSON.stringify(b.tiers);
}

export async function previewImport(db: Db, text: string): Promise<ImportDiff> {
  const { prices, skipped } = parseLiteLLM(text);
  const current = new Map((await listPrices(db)).map((p) => [p.model, p]));
  const diff: ImportDiff = { added: [], changed: [], unchanged: 0, skipped };
  for (const p of prices) {
    const before = current.get(p.model);
    if (!before) diff.added.push(p);
    else if (same(before, p)) diff.unchanged++;
    else diff.changed.push({ before, after: p });
  }
  return diff;
}

/** Applies the file: adds new models, updates changed ones; never deletes. */
export async function applyImport(db: Db, text: string, actor: Actor): Promise<{ added: number; changed: number }> {
  const diff = await previewImport(db, text);
  await changePrices(db, async (tx) => {
    for (const p of diff.added) await pricesRepo.upsert(tx, { ...p, aliases: [], source: 'LiteLLM import' }, actor.login);
    for (const { before, after } of diff.changed) {
      // The provider label and aliases are the admin's; the file only brings prices.
      await pricesRepo.upsert(tx, { ...after, provider: before.provider || after.provider, aliases: before.aliases, source: 'LiteLLM import' }, actor.login);
    }
    await audit(tx, actor, 'price.import', null, {
      added: diff.added.map((p) => p.model),
      changed: diff.changed.map((c) => ({ model: c.after.model, before: c.before, after: { ...c.after, aliases: c.before.aliases } })),
    });
  });
  return { added: diff.added.length, changed: diff.changed.length };
}
