// The read model the pages rank from: per user and day, and per user all-time, the sums
// the leaderboard needs, cost included. Ingest keeps them in the same transaction as the
// events; a price change re-prices them at once (src/usage/reprice.ts), so cost still
// always follows the current price table while pages scan thousands of rows, not millions.
import { DataTypes, type QueryInterface } from 'sequelize';

const count = { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 };
const userRef = { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' };
const sums = {
  input_tokens: count,
  output_tokens: count,
  cache_read_tokens: count,
  cache_write_tokens: count,
  events: count,
  // Sessions whose first event falls in this period.
  sessions: count,
  // Estimated USD of the priced part, and the tokens of models without a price.
  cost_usd: { type: DataTypes.DOUBLE, allowNull: false, defaultValue: 0 },
  unpriced_tokens: count,
};

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('user_days', {
    user_id: { ...userRef, primaryKey: true },
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    ...sums,
  });
  await qi.addIndex('user_days', ['day', 'user_id'], { name: 'user_days_day' });
  await qi.createTable('user_totals', {
    user_id: { ...userRef, primaryKey: true },
    ...sums,
    active_days: count,
    first_day: { type: DataTypes.STRING(10), allowNull: true },
    last_day: { type: DataTypes.STRING(10), allowNull: true },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('user_totals');
  await qi.dropTable('user_days');
}
