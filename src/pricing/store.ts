// Editing the price table. Every edit is audited and re-prices history at once (through
// the ledger's changePrices, in the same transaction).
import type { Db } from '../db/connect.ts';
import * as pricesRepo from '../db/repos/prices.ts';
import { BadInput, NotFound } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { changePrices } from '../ledger/prices.ts';
import type { Price } from './table.ts';

export { priceTable } from '../ledger/prices.ts';

export interface PriceInput {
  model: string;
  provider?: string;
  input: number;
  output: number;
  cache_read?: number | null;
  cache_write?: number | null;
  cache_write_1h?: number | null;
}

const RATES = ['input', 'output', 'cache_read', 'cache_write', 'cache_write_1h'] as const;

function checkPrice(p: PriceInput): void {
  const model = p.model?.trim();
  if (!model || model.length > 128 || /[\p{Cc}\p{Cf}]/u.test(model)) throw new BadInput('model: give a model id (1-128 printable characters) or a pattern with *');
  for (const k of RATES) {
    const v = p[k];
    if (v === undefined || v === null) {
      if (k === 'input' || k === 'output') throw new BadInput(`${k}: a price in USD per million tokens is required`);
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new BadInput(`${k}: must be a non-negative number of USD per million tokens, got ${String(v)}`);
    if (v > 100_000) throw new BadInput(`${k}: ${v} USD per million tokens looks wrong; prices are per million tokens`);
  }
}

/** Creates or updates the price of a model id or pattern; returns the old and new rows. */
export async function setPrice(db: Db, p: PriceInput, actor: Actor): Promise<{ before: Price | null; after: Price }> {
  checkPrice(p);
  const model = p.model.trim();
  return changePrices(db, async (tx) => {
    const before = await pricesRepo.byModel(tx, model);
    // A hand-edited base price no longer matches the seeded long-context tiers' ratios, but
    // the tiers are the provider's published prices: keep them (and the aliases) as they are.
    const keep = <K extends 'cache_read' | 'cache_write' | 'cache_write_1h'>(k: K) => (p[k] === undefined ? (before?.[k] ?? null) : p[k]!);
    const after: Price = {
      model, provider: before?.provider ?? p.provider ?? '', input: p.input, output: p.output,
      cache_read: keep('cache_read'), cache_write: keep('cache_write'), cache_write_1h: keep('cache_write_1h'),
      tiers: before?.tiers ?? [], aliases: before?.aliases ?? [],
    };
    await pricesRepo.upsert(tx, after, actor.login);
    await audit(tx, actor, 'price.set', model, { before, after });
    return { before, after };
  });
}

export async function deletePrice(db: Db, model: string, actor: Actor): Promise<void> {
  await changePrices(db, async (tx) => {
    const before = await pricesRepo.byModel(tx, model);
    if (!before) throw new NotFound(`no price for model "${model}"`);
    await pricesRepo.remove(tx, model);
    await audit(tx, actor, 'price.delete', model, { before });
  });
}

export async function listPrices(db: Db): Promise<Price[]> {
  return pricesRepo.all(db.sql);
}
