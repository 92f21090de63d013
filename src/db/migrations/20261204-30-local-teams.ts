// Local teams: made by admins (admin panel or `tokenboard team add`), beside the GitHub teams
// that sign-in syncs into users.teams. Kept apart so a GitHub sync never edits them and a
// person's teams are the union of both.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('teams', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // Lower-case, as GitHub team slugs are: the same filter, budget and CSV value.
    slug: { type: DataTypes.STRING(100), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(200), allowNull: true },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await qi.createTable('team_members', {
    team_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'teams', key: 'id' }, onDelete: 'CASCADE' },
    user_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await qi.addIndex('team_members', ['user_id'], { name: 'team_members_user' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('team_members');
  await qi.dropTable('teams');
}
