// Provider Admin-API imports: the admin keys (sealed), the identity mapping from provider
// ids/emails to people, usage that could not be mapped yet, and resumable import jobs.
import { DataTypes, type QueryInterface } from 'sequelize';

const now = { type: DataTypes.DATE, allowNull: false };

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('admin_keys', {
    provider: { type: DataTypes.STRING(32), primaryKey: true },
    key_enc: { type: DataTypes.TEXT, allowNull: false },
    last4: { type: DataTypes.STRING(4), allowNull: false },
    updated_by: { type: DataTypes.STRING(64), allowNull: true },
    updated_at: now,
  });
  await qi.createTable('identity_map', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // email, anthropic_account, anthropic_api_key, openai_user, openai_api_key
    kind: { type: DataTypes.STRING(32), allowNull: false },
    external_id: { type: DataTypes.STRING(320), allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    created_at: now,
  });
  await qi.addIndex('identity_map', ['kind', 'external_id'], { unique: true, name: 'identity_map_key' });
  await qi.createTable('unmapped_usage', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    provider: { type: DataTypes.STRING(32), allowNull: false },
    // The identities seen on this usage, best first, as JSON [[kind, id], ...].
    identities: { type: DataTypes.TEXT, allowNull: false },
    label: { type: DataTypes.STRING(320), allowNull: false },
    event_id: { type: DataTypes.STRING(128), allowNull: false, unique: true },
    event: { type: DataTypes.TEXT, allowNull: false },
    tokens: { type: DataTypes.BIGINT, allowNull: false },
    day: { type: DataTypes.STRING(10), allowNull: false },
    created_at: now,
  });
  await qi.createTable('import_jobs', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    provider: { type: DataTypes.STRING(32), allowNull: false },
    kind: { type: DataTypes.STRING(32), allowNull: false },
    from_day: { type: DataTypes.STRING(10), allowNull: false },
    to_day: { type: DataTypes.STRING(10), allowNull: false },
    // queued, running, done, failed
    status: { type: DataTypes.STRING(16), allowNull: false },
    cursor: { type: DataTypes.TEXT, allowNull: true },
    pages: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    events: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    unmapped: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    error: { type: DataTypes.TEXT, allowNull: true },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: now,
    updated_at: now,
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const t of ['import_jobs', 'unmapped_usage', 'identity_map', 'admin_keys']) await qi.dropTable(t);
}
