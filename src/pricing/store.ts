// The price table in the database: loading it (cached until it changes) and editing it.
// Every edit is audited; because cost is computed at read time, an edit re-prices history.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../db/connect.ts';
import type { PriceRecord } from '../db/models.ts';
import { BadInput, NotFound } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { PriceTable, type Price, type PriceTier } from './table.ts';
import { reprice } from '../usage/reprice.ts';
import type { Tx } from '../db/writer.ts';

export function toPrice(r: PriceRecord | Record<string, unknown>): Price {
  const row = r as Record<string, unknown>;
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    model: String(row.model),
    provider: String(row.provider ?? ''),
    input: Number(row.input),
    output: Number(row.output),
    cache_read: num(row.cache_read),
    cache_write: num(row.cache_write),
    cache_write_1h: num(row.cache_write_1h),
    tiers: JSON.parse(String(row.tiers ?? '[]')) as PriceTier[],
    aliases: JSON.parse(String(row.aliases ?? '[]')) as string[],
  };
}

const cache = new WeakMap<Db, { fingerprint: string; table: PriceTable }>();
const FINGERPRINT_SQL = 'SELECT COUNT(*) AS n, MAX(updated_at) AS last, SUM(id) AS ids FROM prices';
const ROWS_SQL = 'SELECT * FROM prices ORDER BY model';

type Read = (sql: string) => Promise<object[]>;

async function loadTable(db: Db, read: Read): Promise<PriceTable> {
  const [fp] = await read(FINGERPRINT_SQL) as { n: number; last: string | null; ids: number | null }[];
  const fingerprint = `${fp.n}|${fp.last}|${fp.ids}`;
  const hit = cache.get(db);
  if (hit && hit.fingerprint === fingerprint) return hit.table;
  const table = new PriceTable((await read(ROWS_SQL) as Record<string, unknown>[]).map(toPrice));
  cache.set(db, { fingerprint, table });
  return table;
}

/**
 * The current price table. A one-row fingerprint query notices edits made by another
 * process (the CLI next to a running server); the table is rebuilt only when it changed.
 */
export function priceTable(db: Db): Promise<PriceTable> {
  return loadTable(db, (sql) => db.sequelize.query(sql, { type: QueryTypes.SELECT }));
}

/**
 * The same, read through the ingest writer's own connection inside its transaction: a
 * read on another connection could queue behind a statement waiting for this very lock.
 */
export function priceTableIn(db: Db, tx: Tx): Promise<PriceTable> {
  return loadTable(db, (sql) => tx.all<object>(sql));
}

export interface PriceInput {
  model: string;
  provider?: string;
  input: number;
  output: number;
  cache_read?: number | null;
  cache_write?: number | null;
}

function checkPrice(p: PriceInput): void {
  const model = p.model?.trim();
  if (!model || model.length > 128 || /[\p{Cc}]/u.test(model)) throw new BadInput('model: give a model id (1-128 printable characters) or a pattern with *');
  for (const k of ['input', 'output', 'cache_read', 'cache_write'] as const) {
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
  return db.sequelize.transaction(async (transaction) => {
    const { PriceRow } = db.models;
    const existing = await PriceRow.findOne({ where: { model }, transaction });
    const before = existing ? toPrice(existing) : null;
    const values = {
      input: p.input, output: p.output,
      cache_read: p.cache_read === undefined ? (existing?.cache_read ?? null) : p.cache_read,
      cache_write: p.cache_write === undefined ? (existing?.cache_write ?? null) : p.cache_write,
      updated_by: actor.login,
    };
    let row: PriceRecord;
    if (existing) {
      // A hand-edited base price no longer matches the seeded long-context tiers' ratios,
      // but the tiers are the provider's published prices: keep them unless told otherwise.
      row = await existing.update(values, { transaction });
    } else {
      row = await PriceRow.create({ model, provider: p.provider ?? '', ...values }, { transaction });
    }
    const after = toPrice(row);
    await repriceIn(db, transaction);
    await audit(db, actor, 'price.set', model, { before, after }, transaction);
    return { before, after };
  });
}

export async function deletePrice(db: Db, model: string, actor: Actor): Promise<void> {
  await db.sequelize.transaction(async (transaction) => {
    const row = await db.models.PriceRow.findOne({ where: { model }, transaction });
    if (!row) throw new NotFound(`no price for model "${model}"`);
    const before = toPrice(row);
    await row.destroy({ transaction });
    await repriceIn(db, transaction);
    await audit(db, actor, 'price.delete', model, { before }, transaction);
  });
}

/** Re-prices the read model inside a price-changing transaction: old table vs the new one. */
export async function repriceIn(db: Db, transaction: Transaction): Promise<number> {
  const before = await priceTable(db);
  const rows = await db.models.PriceRow.findAll({ transaction });
  return reprice(db, before, new PriceTable(rows.map(toPrice)), transaction);
}

export async function listPrices(db: Db): Promise<Price[]> {
  return (await db.models.PriceRow.findAll({ order: [['provider', 'ASC'], ['model', 'ASC']] })).map(toPrice);
}
