// Reconciliation: self-reported tokens left out of a day because the provider's own
// numbers for that day and provider won (see src/usage/reconcile.ts).
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('user_days', 'replaced_tokens', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });
  await qi.addColumn('user_totals', 'replaced_tokens', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('user_totals', 'replaced_tokens');
  await qi.removeColumn('user_days', 'replaced_tokens');
}
