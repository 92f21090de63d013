// What the admin needs around the price table: the models recorded without a price (the
// inbox), which recorded models a new price would cover, and the history of changes.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import { isPattern, lookupNames, patternToRegExp } from './normalize.ts';
import { priceTable } from './store.ts';

export interface UnknownModel {
  provider: string;
  model: string;
  tokens: number;
  events: number;
  first_seen: string;
  last_seen: string;
}

interface ModelUsage { provider: string; model: string; tokens: number; events: number; first_seen: string; last_seen: string }

async function recordedModels(db: Db): Promise<ModelUsage[]> {
  const rows = await db.sequelize.query<ModelUsage>(
    `SELECT provider, model, SUM(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens) AS tokens,
            SUM(events) AS events, MIN(day) AS first_seen, MAX(day) AS last_seen
       FROM daily_rollups WHERE is_local = ? GROUP BY provider, model ORDER BY tokens DESC, model`,
    { replacements: [false], type: QueryTypes.SELECT });
  return rows.map((r) => ({ ...r, tokens: Number(r.tokens), events: Number(r.events) }));
}

/** Cloud models with usage and no price: their cost shows as unknown until an admin prices them. */
export async function unknownModels(db: Db): Promise<UnknownModel[]> {
  const table = await priceTable(db);
  return (await recordedModels(db)).filter((m) => table.lookup(m.model) === null);
}

/** The recorded models a price for `model` (an exact id or a pattern with *) would apply to. */
export async function coveredModels(db: Db, model: string): Promise<{ model: string; provider: string; tokens: number; currently_priced: boolean }[]> {
  const table = await priceTable(db);
  const wanted = model.trim().toLowerCase();
  const re = isPattern(wanted) ? patternToRegExp(wanted) : null;
  return (await recordedModels(db))
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
  const rows = await db.models.AuditEntry.findAll({
    where: { kind: ['price.set', 'price.delete', 'price.import'] }, order: [['id', 'DESC']], limit,
  });
  return rows.map((r) => {
    const d = r.details ? JSON.parse(r.details) as { before?: unknown; after?: unknown } : {};
    return { at: r.created_at, actor: r.actor, kind: r.kind, model: r.target, before: d.before ?? null, after: d.after ?? null };
  });
}
