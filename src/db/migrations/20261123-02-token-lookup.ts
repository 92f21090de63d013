// A keyed hash of each agent token, so a bearer token (OTLP exporters send only that) can
// be found without decrypting every token. Filled for old tokens at start-up (it needs
// the secret key, which migrations do not have).
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('agent_tokens', 'lookup_hash', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addIndex('agent_tokens', ['lookup_hash'], { unique: true, name: 'agent_tokens_lookup' });
  await qi.createTable('otlp_state', {
    user_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    // A cumulative metric series (hashed name + attributes + resource), or a flag.
    series: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
    start_ns: { type: DataTypes.STRING(24), allowNull: false, defaultValue: '' },
    value: { type: DataTypes.DOUBLE, allowNull: false, defaultValue: 0 },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('otlp_state');
  await qi.removeIndex('agent_tokens', 'agent_tokens_lookup');
  await qi.removeColumn('agent_tokens', 'lookup_hash');
}
