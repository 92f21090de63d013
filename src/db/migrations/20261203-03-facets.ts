// The read model for filtered views: per person, day and facet (a provider, a tool, a
// trust level) and per person and facet all-time, the sums a leaderboard ranks by. The
// ledger fills them from the rollups at the next start (it needs the counting rules and
// the price table, which a migration must not depend on): see ledger/rebuild.ts.
// Sessions now remember the provider of their first event and their main model.
import { DataTypes, type QueryInterface } from 'sequelize';

const count = { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 };
const userRef = { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' };
const sums = {
  tokens: count,
  events: count,
  sessions: count,
  cost_usd: { type: DataTypes.DOUBLE, allowNull: false, defaultValue: 0 },
  unpriced_tokens: count,
  replaced_tokens: count,
};

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('user_day_facets', {
    user_id: { ...userRef, primaryKey: true },
    facet: { type: DataTypes.STRING(200), allowNull: false, primaryKey: true },
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    ...sums,
  });
  // A filtered window reads one facet's days: (facet, day) first, the sums beside it.
  await qi.addIndex('user_day_facets', ['facet', 'day', 'user_id', 'tokens', 'events', 'sessions', 'cost_usd', 'unpriced_tokens'], { name: 'user_day_facets_window' });
  await qi.createTable('user_facet_totals', {
    user_id: { ...userRef, primaryKey: true },
    facet: { type: DataTypes.STRING(200), allowNull: false, primaryKey: true },
    ...sums,
    active_days: count,
    first_day: { type: DataTypes.STRING(10), allowNull: true },
    last_day: { type: DataTypes.STRING(10), allowNull: true },
  });
  await qi.addIndex('user_facet_totals', ['facet'], { name: 'user_facet_totals_facet' });

  await qi.addColumn('sessions', 'provider', { type: DataTypes.STRING(128), allowNull: false, defaultValue: '' });
  await qi.addColumn('sessions', 'model_tokens', count);
  await qi.createTable('session_models', {
    user_id: { ...userRef, primaryKey: true },
    session_hash: { type: DataTypes.STRING(128), allowNull: false, primaryKey: true },
    model: { type: DataTypes.STRING(128), allowNull: false, primaryKey: true },
    tokens: count,
  });
  // Older sessions: the provider their (last) model was used through.
  await qi.sequelize.query(`UPDATE sessions SET provider = COALESCE((SELECT r.provider FROM daily_rollups r
      WHERE r.user_id = sessions.user_id AND r.model = sessions.model LIMIT 1), '') WHERE provider = ''`);
  await qi.bulkInsert('settings', [{ key: 'ledger.rebuild', value: JSON.stringify('facets'), updated_at: new Date() }]);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.bulkDelete('settings', { key: 'ledger.rebuild' });
  await qi.dropTable('session_models');
  await qi.removeColumn('sessions', 'model_tokens');
  await qi.removeColumn('sessions', 'provider');
  await qi.dropTable('user_facet_totals');
  await qi.dropTable('user_day_facets');
}
