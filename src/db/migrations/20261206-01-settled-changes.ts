// settled_changes: which person's settled days each move of the `settled` version changed,
// when one person's did (a backfill batch: a first install's history, a laptop back
// online). A reader holding sums of settled days at version v then re-reads only the people
// named by the versions after v (ledger/read.ts), instead of everyone: a first install
// no longer makes every leaderboard re-sum a month of everyone's days. A move without a row
// (re-pricing, imports, rebuilds, deletions) still means "re-read everything".
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('settled_changes', {
    version: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    first_day: { type: DataTypes.STRING(10), allowNull: false },
    last_day: { type: DataTypes.STRING(10), allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('settled_changes');
}
