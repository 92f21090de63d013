// State that must be shared by every replica: signed-in sessions, leases on background
// jobs, and the data versions caches are checked against.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('web_sessions', {
    // SHA-256 of the random id in the cookie: a copy of the database signs nobody in.
    id_hash: { type: DataTypes.STRING(64), primaryKey: true },
    user_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    data: { type: DataTypes.TEXT, allowNull: false },
    expires_at: { type: DataTypes.BIGINT, allowNull: false },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await qi.addIndex('web_sessions', ['user_id'], { name: 'web_sessions_user' });
  await qi.addIndex('web_sessions', ['expires_at'], { name: 'web_sessions_expires' });

  await qi.createTable('job_leases', {
    name: { type: DataTypes.STRING(128), primaryKey: true },
    // The period a run is for ('2026-12-03' for a daily job), '' for one that is never done.
    period: { type: DataTypes.STRING(32), primaryKey: true },
    owner: { type: DataTypes.STRING(128), allowNull: false },
    lease_until: { type: DataTypes.BIGINT, allowNull: false },
    done_at: { type: DataTypes.BIGINT, allowNull: true },
  });
  await qi.addColumn('import_jobs', 'lease_owner', { type: DataTypes.STRING(128), allowNull: true });
  await qi.addColumn('import_jobs', 'lease_until', { type: DataTypes.BIGINT, allowNull: true });

  await qi.createTable('data_versions', {
    name: { type: DataTypes.STRING(32), primaryKey: true },
    version: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
  });
  await qi.bulkInsert('data_versions', ['usage', 'prices', 'people', 'settings'].map((name) => ({ name, version: 0 })));
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('data_versions');
  await qi.removeColumn('import_jobs', 'lease_until');
  await qi.removeColumn('import_jobs', 'lease_owner');
  await qi.dropTable('job_leases');
  await qi.dropTable('web_sessions');
}
