// Seeds the product's own price table from public list prices (src/pricing/seed-prices.json,
// taken from shared/prices.json). Admins edit prices in the product afterwards.
import type { QueryInterface } from 'sequelize';
import seed from '../../pricing/seed-prices.json' with { type: 'json' };

interface SeedRow {
  model: string; provider: string; input: number; output: number;
  cache_read: number | null; cache_write: number | null; cache_write_1h: number | null;
  tiers: unknown[]; aliases: string[]; source: string;
}

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const rows = seed as SeedRow[];
  const at = new Date();
  await qi.bulkInsert('prices', rows.map((r) => ({
    model: r.model, provider: r.provider, input: r.input, output: r.output,
    cache_read: r.cache_read, cache_write: r.cache_write, cache_write_1h: r.cache_write_1h,
    tiers: JSON.stringify(r.tiers), aliases: JSON.stringify(r.aliases), source: r.source,
    updated_by: 'seed', created_at: at, updated_at: at,
  })));
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.bulkDelete('prices', { updated_by: 'seed' });
}
