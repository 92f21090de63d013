// The DESIGN data model. Token counts are BIGINT: a busy org passes 2^31 tokens quickly.
import { DataTypes, type QueryInterface } from 'sequelize';

const now = { type: DataTypes.DATE, allowNull: false };
const count = { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 };
const userRef = {
  type: DataTypes.INTEGER, allowNull: false,
  references: { model: 'users', key: 'id' }, onDelete: 'CASCADE',
};

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('users', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    github_id: { type: DataTypes.BIGINT, allowNull: true, unique: true },
    login: { type: DataTypes.STRING(64), allowNull: false },
    // GitHub logins are case-insensitive: one lower-cased key keeps them unique.
    login_key: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(255), allowNull: true },
    email: { type: DataTypes.STRING(320), allowNull: true },
    avatar_url: { type: DataTypes.STRING(1024), allowNull: true },
    role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'member' },
    teams: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    hidden: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    public_badge: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    // Set by `user add --github`: the first GitHub sign-in with this login may claim it.
    link_github: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    last_seen_at: { type: DataTypes.DATE, allowNull: true },
    membership_checked_at: { type: DataTypes.DATE, allowNull: true },
    created_at: now,
    updated_at: now,
  });

  await qi.createTable('agent_tokens', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: userRef,
    name: { type: DataTypes.STRING(64), allowNull: false, defaultValue: 'default' },
    // AES-256-GCM of the token under a key derived from server.secret_key.
    secret_enc: { type: DataTypes.TEXT, allowNull: false },
    created_at: now,
    last_used_at: { type: DataTypes.DATE, allowNull: true },
    revoked_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('agent_tokens', ['user_id']);

  await qi.createTable('usage_events', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: userRef,
    event_id: { type: DataTypes.STRING(128), allowNull: true },
    ts: { type: DataTypes.BIGINT, allowNull: false },
    day: { type: DataTypes.STRING(10), allowNull: false },
    provider: { type: DataTypes.STRING(128), allowNull: false },
    model: { type: DataTypes.STRING(128), allowNull: false },
    is_local: { type: DataTypes.BOOLEAN, allowNull: false },
    input_tokens: count,
    output_tokens: count,
    cache_read_tokens: count,
    cache_write_tokens: count,
    source: { type: DataTypes.STRING(64), allowNull: false },
    session_hash: { type: DataTypes.STRING(128), allowNull: true },
    skills: { type: DataTypes.TEXT, allowNull: true },
    // Price tier decided per request at ingest (long-context pricing needs per-request size).
    tier: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    received_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await qi.addIndex('usage_events', ['user_id', 'event_id'], { unique: true, name: 'usage_events_user_event' });
  // No (user_id, ts) index: pages read rollups, and every extra index on this table costs
  // ingest about a third of its insert rate.

  await qi.createTable('daily_rollups', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: userRef,
    day: { type: DataTypes.STRING(10), allowNull: false },
    provider: { type: DataTypes.STRING(128), allowNull: false },
    model: { type: DataTypes.STRING(128), allowNull: false },
    source: { type: DataTypes.STRING(64), allowNull: false },
    is_local: { type: DataTypes.BOOLEAN, allowNull: false },
    tier: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    input_tokens: count,
    output_tokens: count,
    cache_read_tokens: count,
    cache_write_tokens: count,
    events: count,
  });
  await qi.addIndex('daily_rollups', ['user_id', 'day', 'provider', 'model', 'source', 'is_local', 'tier'], { unique: true, name: 'daily_rollups_key' });
  await qi.addIndex('daily_rollups', ['day'], { name: 'daily_rollups_day' });

  await qi.createTable('sessions', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: userRef,
    session_hash: { type: DataTypes.STRING(128), allowNull: false },
    source: { type: DataTypes.STRING(64), allowNull: false },
    model: { type: DataTypes.STRING(128), allowNull: false },
    first_ts: { type: DataTypes.BIGINT, allowNull: false },
    last_ts: { type: DataTypes.BIGINT, allowNull: false },
    events: count,
    tokens: count,
  });
  await qi.addIndex('sessions', ['user_id', 'session_hash'], { unique: true, name: 'sessions_user_hash' });
  await qi.addIndex('sessions', ['last_ts'], { name: 'sessions_last_ts' });

  await qi.createTable('skills', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: userRef,
    day: { type: DataTypes.STRING(10), allowNull: false },
    name: { type: DataTypes.STRING(64), allowNull: false },
    count,
  });
  await qi.addIndex('skills', ['user_id', 'day', 'name'], { unique: true, name: 'skills_key' });

  await qi.createTable('prices', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // An exact model id, or a pattern with `*`.
    model: { type: DataTypes.STRING(128), allowNull: false, unique: true },
    provider: { type: DataTypes.STRING(128), allowNull: false, defaultValue: '' },
    input: { type: DataTypes.DOUBLE, allowNull: false },
    output: { type: DataTypes.DOUBLE, allowNull: false },
    cache_read: { type: DataTypes.DOUBLE, allowNull: true },
    cache_write: { type: DataTypes.DOUBLE, allowNull: true },
    cache_write_1h: { type: DataTypes.DOUBLE, allowNull: true },
    tiers: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
    aliases: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
    source: { type: DataTypes.TEXT, allowNull: true },
    updated_by: { type: DataTypes.STRING(64), allowNull: true },
    created_at: now,
    updated_at: now,
  });

  await qi.createTable('replay_records', {
    user_id: { ...userRef, primaryKey: true },
    ts: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
    body_sha256: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await qi.addIndex('replay_records', ['created_at'], { name: 'replay_records_created' });

  await qi.createTable('audit_log', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    actor_user_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    actor: { type: DataTypes.STRING(64), allowNull: false },
    kind: { type: DataTypes.STRING(64), allowNull: false },
    target: { type: DataTypes.STRING(255), allowNull: true },
    details: { type: DataTypes.TEXT, allowNull: true },
    created_at: now,
  });
  await qi.addIndex('audit_log', ['created_at'], { name: 'audit_log_created' });

  await qi.createTable('settings', {
    key: { type: DataTypes.STRING(64), primaryKey: true },
    value: { type: DataTypes.TEXT, allowNull: false },
    updated_at: now,
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const t of ['settings', 'audit_log', 'replay_records', 'prices', 'skills', 'sessions', 'daily_rollups', 'usage_events', 'agent_tokens', 'users']) {
    await qi.dropTable(t);
  }
}
