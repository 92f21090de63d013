// The price table (prices): one row per model id or pattern. Changes happen only inside
// ledger/prices.ts's changePrices(), which versions and re-prices them.
import { numOrNull } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';
import type { Price, PriceTier } from '../../pricing/table.ts';

function toPrice(r: Record<string, unknown>): Price {
  return {
    model: String(r.model),
    provider: String(r.provider ?? ''),
    input: Number(r.input),
    output: Number(r.output),
    cache_read: numOrNull(r.cache_read),
    cache_write: numOrNull(r.cache_write),
    cache_write_1h: numOrNull(r.cache_write_1h),
    tiers: JSON.parse(String(r.tiers ?? '[]')) as PriceTier[],
    aliases: JSON.parse(String(r.aliases ?? '[]')) as string[],
  };
}

const COLUMNS = 'model, provider, input, output, cache_read, cache_write, cache_write_1h, tiers, aliases';

export async function all(q: Sql): Promise<Price[]> {
  return (await q.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM prices ORDER BY provider, model`)).map(toPrice);
}

export async function byModel(q: Sql, model: string): Promise<Price | null> {
  const r = await one<Record<string, unknown>>(q, `SELECT ${COLUMNS} FROM prices WHERE model = ?`, [model]);
  return r ? toPrice(r) : null;
}

export interface PriceWrite extends Omit<Price, 'aliases'> {
  aliases?: string[];
  source?: string | null;
}

/** Adds or replaces the row of `p.model`. */
export async function upsert(q: Sql, p: PriceWrite, by: string, now = new Date()): Promise<void> {
  await q.run(
    `INSERT INTO prices (model, provider, input, output, cache_read, cache_write, cache_write_1h, tiers, aliases, source, updated_by, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
     ON CONFLICT (model) DO UPDATE SET provider = excluded.provider, input = excluded.input, output = excluded.output,
       cache_read = excluded.cache_read, cache_write = excluded.cache_write, cache_write_1h = excluded.cache_write_1h,
       tiers = excluded.tiers, aliases = excluded.aliases, source = COALESCE(excluded.source, prices.source),
       updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [p.model, p.provider, p.input, p.output, p.cache_read, p.cache_write, p.cache_write_1h ?? null, JSON.stringify(p.tiers),
      JSON.stringify(p.aliases ?? []), p.source ?? null, by, now, now]);
}

export async function remove(q: Sql, model: string): Promise<number> {
  return q.run('DELETE FROM prices WHERE model = ?', [model]);
}

export async function count(q: Sql): Promise<number> {
  return Number((await one<{ n: number }>(q, 'SELECT COUNT(*) AS n FROM prices'))?.n ?? 0);
}
