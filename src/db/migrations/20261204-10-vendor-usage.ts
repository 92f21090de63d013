// Vendor usage from Cursor and GitHub Copilot:
// - usage_events.messages: how many messages one stored event stands for. An agent's event
//   is one model response (1); a Copilot person-day counts many code generations without
//   tokens. Rollups already sum `events`; they now add this count instead of 1.
// - vendor_charges: what a vendor billed (Cursor's chargedCents) per person, day and
//   source. Kept apart from cost_usd, which is always our estimate from the price table.
// - vendor_activity: a vendor's daily per-person activity that has no tokens (Copilot:
//   interactions, code generations and acceptances, lines, features, IDEs, models), keyed
//   by the vendor's identity so it waits for an owner like unmapped usage does.
// - vendor_seats: the licences a vendor reports (Copilot seats, Cursor team members), a
//   snapshot replaced at every import.
import { DataTypes, type QueryInterface } from 'sequelize';

const count = { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 };

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('usage_events', 'messages', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 1 });

  await qi.createTable('vendor_charges', {
    user_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    source: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    cents: { type: DataTypes.DOUBLE, allowNull: false, defaultValue: 0 },
    events: count,
  });

  await qi.createTable('vendor_activity', {
    vendor: { type: DataTypes.STRING(32), allowNull: false, primaryKey: true },
    // The vendor's own id of the person ("github_id 583231", or the login without one).
    identity: { type: DataTypes.STRING(320), allowNull: false, primaryKey: true },
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    // Every identity seen ([[kind, id], ...] as JSON) and what the admin sees, for mapping.
    identities: { type: DataTypes.TEXT, allowNull: false },
    label: { type: DataTypes.STRING(320), allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    interactions: count,
    code_generations: count,
    code_acceptances: count,
    lines_added: count,
    lines_removed: count,
    cli_requests: count,
    cli_prompt_tokens: count,
    cli_output_tokens: count,
    // JSON lists of names: features used, IDEs, models.
    features: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
    ides: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
    models: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
  });
  await qi.addIndex('vendor_activity', ['user_id', 'day'], { name: 'vendor_activity_user_day' });

  await qi.createTable('vendor_seats', {
    vendor: { type: DataTypes.STRING(32), allowNull: false, primaryKey: true },
    // Lower-cased login (Copilot) or email (Cursor).
    seat_key: { type: DataTypes.STRING(320), allowNull: false, primaryKey: true },
    label: { type: DataTypes.STRING(320), allowNull: false },
    identities: { type: DataTypes.TEXT, allowNull: false },
    assigned_at: { type: DataTypes.BIGINT, allowNull: true },
    last_activity_at: { type: DataTypes.BIGINT, allowNull: true },
    last_activity_editor: { type: DataTypes.STRING(200), allowNull: true },
    plan: { type: DataTypes.STRING(64), allowNull: true },
    synced_at: { type: DataTypes.BIGINT, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('vendor_seats');
  await qi.dropTable('vendor_activity');
  await qi.dropTable('vendor_charges');
  await qi.removeColumn('usage_events', 'messages');
}
