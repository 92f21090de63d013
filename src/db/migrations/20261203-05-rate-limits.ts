// Rate-limit counters shared by replicas (PostgreSQL): hits per bucket (a purpose and a
// client address or user id) per fixed time window. A single SQLite server counts in memory.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('rate_limits', {
    bucket: { type: DataTypes.STRING(200), primaryKey: true },
    window_start: { type: DataTypes.BIGINT, primaryKey: true },
    hits: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('rate_limits');
}
