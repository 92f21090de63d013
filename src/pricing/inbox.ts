// What the admin needs around the price table: the models recorded without a price (the
// inbox), which recorded models a new price would cover, and the history of changes.
import type { Db } from '../db/connect.ts';
import { cloudModels } from '../ledger/read.ts';
import { priceTable } from '../ledger/prices.ts';
import { listAudit } from '../admin/audit.ts';
import { isPattern, lookupNames, patternToRegExp } from './normalize.ts';

export interface UnknownModel {
  provider: string;
  model: string;
  tokens: number;
  events: number;
  first_seen: string;
  last_seen: string;
}

/** Cloud models with usage and no price: their cost shows as unknown until an admin prices them. */
export async function unknownModels(db: Db): Promise<UnknownModel[]> {
  const table = await priceTable(db);
  return (await cloudModels(db)).filter((m) => table.lookup(m.model) === null);
}

/** The recorded models a price for `model` (an exact id or a pattern with *) would apply to. */
export async function coveredModels(db: Db, model: string): Promise<{ model: string; provider: string; tokens: number; currently_priced: boolean }[]> {
  const table = await priceTable(db);
  const wanted = model.trim().toLowerCase();
  const re = isPattern(wanted) ? patternToRegExp(wanted) : null;
  return (await cloudModels(db))
    .filter((m) => lookupNames(m.model).some((n) => (re ? re.test(n.toLowerCase()) : n.toLowerCase() === wanted)))
    .map((m) => ({ model: m.model, provider: m.provider, tokens: m.tokens, currently_priced: table.lookup(m.model) !== null }));
}

export interface PriceChange {
  at: Date;
  actor: string;
  kind: string;
  model: string | null;
  before: unknown;
  after: unknown;
}

export async function priceHistory(db: Db, limit = 100): Promise<PriceChange[]> {
  const rows = await listAudit(db, { kinds: ['price.set', 'price.delete', 'price.import'], limit });
  return rows.map((r) => {
    const d = (r.details ?? {}) as { before?: unknown; after?: unknown };
    return { at: r.at, actor: r.actor, kind: r.kind, model: r.target, before: d.before ?? null, after: d.after ?? null };
  });
}
