// Two tables that keep a filtered or per-person breakdown (the leaderboard's rows, a
// profile, `stats`) from reading every daily rollup of the people shown:
// - rollup_totals: per (person, provider, model, source, is_local, tier) the all-time sums,
//   the reconciliation rule applied (what the rule takes off, below, is taken off here too).
//   "All time" reads one row per group instead of one per group and day.
// - rollup_corrections: per person-day and group what the rule takes off (ledger/rules.ts
//   dayCorrections), written by the ledger with the day's read model. A range reads the raw
//   rollups and subtracts these few rows; before, readers re-derived the rule in SQL over
//   every rollup of the anchored days.
// The raw totals are filled here; the corrections need the counting rules, which a migration
// must not depend on: the ledger fills them at the next start (ledger.rebuild = corrections)
// and takes them off the totals then.
import { DataTypes, type QueryInterface } from 'sequelize';

const count = { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 };
const userRef = { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE', primaryKey: true };
const key = {
  provider: { type: DataTypes.STRING(128), allowNull: false, primaryKey: true },
  model: { type: DataTypes.STRING(128), allowNull: false, primaryKey: true },
  source: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
  is_local: { type: DataTypes.BOOLEAN, allowNull: false, primaryKey: true },
  tier: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
};
const sums = {
  input_tokens: count,
  output_tokens: count,
  cache_read_tokens: count,
  cache_write_tokens: count,
  cache_write_1h_tokens: count,
  events: count,
};
const SUMS = Object.keys(sums).join(', ');

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('rollup_totals', { user_id: userRef, ...key, ...sums });
  await qi.createTable('rollup_corrections', {
    user_id: userRef,
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    ...key,
    ...sums,
  });
  await qi.sequelize.query(`INSERT INTO rollup_totals (user_id, provider, model, source, is_local, tier, ${SUMS})
    SELECT user_id, provider, model, source, is_local, tier, ${SUMS.split(', ').map((c) => `SUM(${c})`).join(', ')}
      FROM daily_rollups GROUP BY user_id, provider, model, source, is_local, tier`);
  // A full rebuild already asked for (facets) recomputes every anchored day too.
  const [pending] = await qi.sequelize.query("SELECT key FROM settings WHERE key = 'ledger.rebuild'");
  if ((pending as unknown[]).length === 0) {
    await qi.bulkInsert('settings', [{ key: 'ledger.rebuild', value: JSON.stringify('corrections'), updated_at: new Date() }]);
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.bulkDelete('settings', { key: 'ledger.rebuild', value: JSON.stringify('corrections') });
  await qi.dropTable('rollup_corrections');
  await qi.dropTable('rollup_totals');
}
