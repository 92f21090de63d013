// Everything the admin's price page shows, in one call: the table, the unknown-models
// inbox, the history of changes and (when the admin is typing a new id or pattern) which
// recorded models it would cover, with the price each of those gets today.
import type { Db } from '../db/connect.ts';
import type { Price } from './table.ts';
import { listPrices, priceTable } from './store.ts';
import { coveredModels, priceHistory, unknownModels, type PriceChange, type UnknownModel } from './inbox.ts';

export interface Coverage {
  model: string;
  provider: string;
  tokens: number;
  /** The entry that prices it now (an exact id wins over a pattern), or null. */
  priced_by: string | null;
}

export interface PriceAdminView {
  prices: Price[];
  unknown: UnknownModel[];
  history: PriceChange[];
  coverage: Coverage[] | null;
}

export async function coverageOf(db: Db, model: string): Promise<Coverage[]> {
  const table = await priceTable(db);
  return (await coveredModels(db, model)).map((c) => ({ model: c.model, provider: c.provider, tokens: c.tokens, priced_by: table.lookup(c.model)?.model ?? null }));
}

export async function priceAdminView(db: Db, o: { cover?: string | null } = {}): Promise<PriceAdminView> {
  const [prices, unknown, history] = await Promise.all([listPrices(db), unknownModels(db), priceHistory(db, 50)]);
  return { prices, unknown, history, coverage: o.cover ? await coverageOf(db, o.cover) : null };
}
