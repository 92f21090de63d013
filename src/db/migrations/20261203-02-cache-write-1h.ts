// One-hour cache writes (part of cache_write_tokens, priced at their own rate): kept on raw
// events and rollups so re-pricing sees them. The seeded long-context tiers gain their
// published 1-hour write prices (rows an admin edited keep theirs).
import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';
import seed from '../../pricing/seed-prices.json' with { type: 'json' };

const count = { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 };

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('usage_events', 'cache_write_1h_tokens', count);
  await qi.addColumn('daily_rollups', 'cache_write_1h_tokens', count);
  for (const row of seed as { model: string; tiers: unknown[] }[]) {
    if (!row.tiers.some((t) => (t as { cache_write_1h?: number }).cache_write_1h !== undefined)) continue;
    await qi.sequelize.query("UPDATE prices SET tiers = ? WHERE model = ? AND updated_by = 'seed'", { replacements: [JSON.stringify(row.tiers), row.model], type: QueryTypes.UPDATE });
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('daily_rollups', 'cache_write_1h_tokens');
  await qi.removeColumn('usage_events', 'cache_write_1h_tokens');
}
