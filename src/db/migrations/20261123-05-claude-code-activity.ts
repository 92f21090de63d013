// Claude Code activity from Anthropic's Claude Code Analytics API: sessions, lines,
// commits and pull requests per person and day (no content, only counts).
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('claude_code_activity', {
    user_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    sessions: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    lines_added: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    lines_removed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    commits: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    pull_requests: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('claude_code_activity');
}
