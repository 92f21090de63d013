// Budgets and alerts: budgets per person, team or org; alert destinations (Slack or signed
// webhooks); alert events, each decided once by a unique key (a budget's threshold in a
// period, a week's digest, a model's first unpriced sighting); one delivery row per event
// and destination, leased by the process sending it; and every attempt of every delivery.
import { DataTypes, type QueryInterface } from 'sequelize';

const ms = { type: DataTypes.BIGINT, allowNull: false };
const msOrNull = { type: DataTypes.BIGINT, allowNull: true };

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('budgets', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // user, team or org
    scope: { type: DataTypes.STRING(8), allowNull: false },
    // 'user:<id>', 'team:<slug>' or 'org': one budget per subject and period.
    subject_key: { type: DataTypes.STRING(220), allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    team: { type: DataTypes.STRING(200), allowNull: true },
    // week or month (calendar periods in the org's time zone)
    period: { type: DataTypes.STRING(8), allowNull: false },
    limit_usd: { type: DataTypes.DOUBLE, allowNull: true },
    limit_tokens: { type: DataTypes.BIGINT, allowNull: true },
    // JSON list of percentages, ascending.
    thresholds: { type: DataTypes.TEXT, allowNull: false },
    // Bumped when the limit or thresholds change: a changed budget is notified afresh.
    revision: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: ms,
    updated_at: ms,
  });
  await qi.addIndex('budgets', ['subject_key', 'period'], { unique: true, name: 'budgets_subject_period' });

  await qi.createTable('alert_destinations', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // slack or webhook
    kind: { type: DataTypes.STRING(16), allowNull: false },
    // Sealed: a Slack incoming-webhook URL is itself the credential.
    url_enc: { type: DataTypes.TEXT, allowNull: false },
    // What the admin panel shows instead (scheme, host and the last characters).
    url_hint: { type: DataTypes.STRING(300), allowNull: false },
    secret_enc: { type: DataTypes.TEXT, allowNull: true },
    // JSON list of subscribed kinds: budget, digest, unknown-model, import-failed.
    events: { type: DataTypes.TEXT, allowNull: false },
    consecutive_failures: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    failing_since: msOrNull,
    last_success_at: msOrNull,
    last_failure_at: msOrNull,
    last_error: { type: DataTypes.TEXT, allowNull: true },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: ms,
  });

  await qi.createTable('alert_events', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // The `id` receivers deduplicate by ('evt_…').
    event_id: { type: DataTypes.STRING(200), allowNull: false, unique: true },
    type: { type: DataTypes.STRING(64), allowNull: false },
    // What makes it happen once: 'budget:<id>:r<revision>:<threshold>:<period start>', 'digest:<monday>', 'model:<id>', …
    dedup_key: { type: DataTypes.STRING(300), allowNull: false, unique: true },
    budget_id: { type: DataTypes.INTEGER, allowNull: true },
    // The webhook body exactly as sent (null for the seeded "already seen" models).
    payload: { type: DataTypes.TEXT, allowNull: true },
    created_at: ms,
  });
  await qi.addIndex('alert_events', ['budget_id'], { name: 'alert_events_budget' });

  await qi.createTable('alert_deliveries', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    alert_event_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'alert_events', key: 'id' }, onDelete: 'CASCADE' },
    destination_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'alert_destinations', key: 'id' }, onDelete: 'CASCADE' },
    // pending, delivered or failed (gave up)
    status: { type: DataTypes.STRING(16), allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: ms,
    lease_owner: { type: DataTypes.STRING(128), allowNull: true },
    lease_until: msOrNull,
    last_status: { type: DataTypes.INTEGER, allowNull: true },
    last_error: { type: DataTypes.TEXT, allowNull: true },
    delivered_at: msOrNull,
    created_at: ms,
  });
  await qi.addIndex('alert_deliveries', ['alert_event_id', 'destination_id'], { unique: true, name: 'alert_deliveries_once' });
  await qi.addIndex('alert_deliveries', ['status', 'next_attempt_at'], { name: 'alert_deliveries_due' });
  await qi.addIndex('alert_deliveries', ['destination_id'], { name: 'alert_deliveries_destination' });

  await qi.createTable('alert_attempts', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    delivery_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'alert_deliveries', key: 'id' }, onDelete: 'CASCADE' },
    at: ms,
    // The HTTP status, or null when there was no answer (network error, timeout).
    http_status: { type: DataTypes.INTEGER, allowNull: true },
    error: { type: DataTypes.TEXT, allowNull: true },
    // delivered, retry or failed
    outcome: { type: DataTypes.STRING(16), allowNull: false },
  });
  await qi.addIndex('alert_attempts', ['delivery_id'], { name: 'alert_attempts_delivery' });

  // Budget checks look again when a budget changes, as when usage, prices or people do.
  await qi.bulkInsert('data_versions', [{ name: 'budgets', version: 0 }]);

  // Models already recorded are not "seen for the first time" after this upgrade: mark them
  // seen, with no deliveries, so `model.unknown` only fires for models that are new.
  await qi.sequelize.query(
    `INSERT INTO alert_events (event_id, type, dedup_key, created_at)
     SELECT DISTINCT 'seed:model:' || model, 'model.unknown', 'model:' || model, ? FROM daily_rollups`,
    { replacements: [Date.now()] });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.bulkDelete('data_versions', { name: 'budgets' });
  for (const t of ['alert_attempts', 'alert_deliveries', 'alert_events', 'alert_destinations', 'budgets']) await qi.dropTable(t);
}
