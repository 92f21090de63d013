// Sign-in state that must outlive a request: one-time sign-in links (stored as a hash, so
// a copy of the database cannot be used to sign in) and each GitHub user's OAuth token
// (sealed with the server key), kept to re-check org membership on later requests.
// Times are ms since the epoch (BIGINT) so comparisons read the same in SQLite and Postgres.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('login_links', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    code_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
    expires_at: { type: DataTypes.BIGINT, allowNull: false },
    used_at: { type: DataTypes.BIGINT, allowNull: true },
  });
  await qi.addIndex('login_links', ['expires_at'], { name: 'login_links_expires' });
  await qi.createTable('github_tokens', {
    user_id: { type: DataTypes.INTEGER, primaryKey: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    token_enc: { type: DataTypes.TEXT, allowNull: false },
    updated_at: { type: DataTypes.BIGINT, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('github_tokens');
  await qi.dropTable('login_links');
}
