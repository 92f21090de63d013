// Sequelize models for the entities edited through the product (users, tokens, prices,
// audit log, settings). Defined per connection so a process can hold two databases
// (tests restart the app in-process). Usage tables are written by the ingest steps with
// plain SQL and read by the usage queries.
import {
  DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize,
} from 'sequelize';

export type Role = 'member' | 'manager' | 'admin';
export const ROLES: readonly Role[] = ['member', 'manager', 'admin'];

export function defineModels(sequelize: Sequelize) {
  class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
    declare id: CreationOptional<number>;
    declare github_id: CreationOptional<number | null>;
    declare login: string;
    declare login_key: string;
    declare name: CreationOptional<string | null>;
    declare email: CreationOptional<string | null>;
    declare avatar_url: CreationOptional<string | null>;
    declare role: CreationOptional<Role>;
    declare teams: CreationOptional<string>;
    declare active: CreationOptional<boolean>;
    declare hidden: CreationOptional<boolean>;
    declare public_badge: CreationOptional<boolean>;
    declare link_github: CreationOptional<boolean>;
    declare last_seen_at: CreationOptional<Date | null>;
    declare membership_checked_at: CreationOptional<Date | null>;
    declare created_at: CreationOptional<Date>;
    declare updated_at: CreationOptional<Date>;
  }
  User.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    github_id: { type: DataTypes.BIGINT, allowNull: true },
    login: { type: DataTypes.STRING(64), allowNull: false },
    login_key: { type: DataTypes.STRING(64), allowNull: false },
    name: DataTypes.STRING(255),
    email: DataTypes.STRING(320),
    avatar_url: DataTypes.STRING(1024),
    role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'member' },
    teams: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    hidden: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    public_badge: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    link_github: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    last_seen_at: DataTypes.DATE,
    membership_checked_at: DataTypes.DATE,
    created_at: DataTypes.DATE,
    updated_at: DataTypes.DATE,
  }, { sequelize, tableName: 'users', underscored: true, timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' });

  class AgentToken extends Model<InferAttributes<AgentToken>, InferCreationAttributes<AgentToken>> {
    declare id: CreationOptional<number>;
    declare user_id: number;
    declare name: string;
    declare secret_enc: string;
    declare lookup_hash: CreationOptional<string | null>;
    declare created_at: CreationOptional<Date>;
    declare last_used_at: CreationOptional<Date | null>;
    declare revoked_at: CreationOptional<Date | null>;
  }
  AgentToken.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false },
    name: { type: DataTypes.STRING(64), allowNull: false },
    secret_enc: { type: DataTypes.TEXT, allowNull: false },
    lookup_hash: DataTypes.STRING(64),
    created_at: DataTypes.DATE,
    last_used_at: DataTypes.DATE,
    revoked_at: DataTypes.DATE,
  }, { sequelize, tableName: 'agent_tokens', timestamps: true, createdAt: 'created_at', updatedAt: false });

  class PriceRow extends Model<InferAttributes<PriceRow>, InferCreationAttributes<PriceRow>> {
    declare id: CreationOptional<number>;
    declare model: string;
    declare provider: CreationOptional<string>;
    declare input: number;
    declare output: number;
    declare cache_read: CreationOptional<number | null>;
    declare cache_write: CreationOptional<number | null>;
    declare cache_write_1h: CreationOptional<number | null>;
    declare tiers: CreationOptional<string>;
    declare aliases: CreationOptional<string>;
    declare source: CreationOptional<string | null>;
    declare updated_by: CreationOptional<string | null>;
    declare created_at: CreationOptional<Date>;
    declare updated_at: CreationOptional<Date>;
  }
  PriceRow.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    model: { type: DataTypes.STRING(128), allowNull: false },
    provider: { type: DataTypes.STRING(128), allowNull: false, defaultValue: '' },
    input: { type: DataTypes.DOUBLE, allowNull: false },
    output: { type: DataTypes.DOUBLE, allowNull: false },
    cache_read: DataTypes.DOUBLE,
    cache_write: DataTypes.DOUBLE,
    cache_write_1h: DataTypes.DOUBLE,
    tiers: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
    aliases: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
    source: DataTypes.TEXT,
    updated_by: DataTypes.STRING(64),
    created_at: DataTypes.DATE,
    updated_at: DataTypes.DATE,
  }, { sequelize, tableName: 'prices', timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' });

  class AuditEntry extends Model<InferAttributes<AuditEntry>, InferCreationAttributes<AuditEntry>> {
    declare id: CreationOptional<number>;
    declare actor_user_id: number | null;
    declare actor: string;
    declare kind: string;
    declare target: string | null;
    declare details: string | null;
    declare created_at: CreationOptional<Date>;
  }
  AuditEntry.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    actor_user_id: DataTypes.INTEGER,
    actor: { type: DataTypes.STRING(64), allowNull: false },
    kind: { type: DataTypes.STRING(64), allowNull: false },
    target: DataTypes.STRING(255),
    details: DataTypes.TEXT,
    created_at: DataTypes.DATE,
  }, { sequelize, tableName: 'audit_log', timestamps: true, createdAt: 'created_at', updatedAt: false });

  class Setting extends Model<InferAttributes<Setting>, InferCreationAttributes<Setting>> {
    declare key: string;
    declare value: string;
    declare updated_at: CreationOptional<Date>;
  }
  Setting.init({
    key: { type: DataTypes.STRING(64), primaryKey: true },
    value: { type: DataTypes.TEXT, allowNull: false },
    updated_at: DataTypes.DATE,
  }, { sequelize, tableName: 'settings', timestamps: true, createdAt: false, updatedAt: 'updated_at' });

  return { User, AgentToken, PriceRow, AuditEntry, Setting };
}

export type Models = ReturnType<typeof defineModels>;
export type UserRecord = InstanceType<Models['User']>;
export type PriceRecord = InstanceType<Models['PriceRow']>;
