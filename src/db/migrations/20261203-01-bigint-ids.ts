// Raw events are the one table that can pass 2^31 rows (50k developers send billions a
// year). SQLite's INTEGER key is 64-bit already; PostgreSQL's SERIAL is not.
import type { QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() !== 'postgres') return;
  await qi.sequelize.query('ALTER TABLE usage_events ALTER COLUMN id TYPE BIGINT');
  await qi.sequelize.query('ALTER SEQUENCE usage_events_id_seq AS BIGINT');
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() !== 'postgres') return;
  await qi.sequelize.query('ALTER SEQUENCE usage_events_id_seq AS INTEGER');
  await qi.sequelize.query('ALTER TABLE usage_events ALTER COLUMN id TYPE INTEGER');
}
