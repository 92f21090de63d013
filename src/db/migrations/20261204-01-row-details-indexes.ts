// Two indexes for the leaderboard's per-row details (top model, trust label, unpriced
// models: every rollup of the people shown, over the window) and for the reconciliation
// rule's corrections, measured with `npm run bench -- pages` at ~10M events:
// - daily_rollups_person: one person's rollups in group order (provider, model, source,
//   is_local, tier), the sums beside them, so the per-person group sums read one stretch of
//   index with no sort and no table rows (all time for 25 people: ~40k rows; before, a
//   random table read per row and a sort that spilled to disk on PostgreSQL: 100-300 ms,
//   now ~12 ms on both engines). PostgreSQL keeps the sums as INCLUDE columns, SQLite as
//   trailing key columns (it has no INCLUDE).
// - user_days_replaced: the few person-days where the provider's own numbers replaced
//   others (a partial index), instead of every day of the people shown.
// Rollups are upserted per batch group, not per event: the extra index costs ingest little.
import type { QueryInterface } from 'sequelize';

const SUMS = 'input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, events';
const KEY = 'user_id, provider, model, source, is_local, tier, day';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const pg = qi.sequelize.getDialect() === 'postgres';
  await qi.sequelize.query(pg
    ? `CREATE INDEX daily_rollups_person ON daily_rollups (${KEY}) INCLUDE (${SUMS})`
    : `CREATE INDEX daily_rollups_person ON daily_rollups (${KEY}, ${SUMS})`);
  await qi.sequelize.query('CREATE INDEX user_days_replaced ON user_days (user_id, day) WHERE replaced_tokens > 0');
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.sequelize.query('DROP INDEX user_days_replaced');
  await qi.sequelize.query('DROP INDEX daily_rollups_person');
}
