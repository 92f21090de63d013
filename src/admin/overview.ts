// The admin panel's start page numbers: what each section holds and what needs attention.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import { unknownModels } from '../pricing/inbox.ts';

export interface AdminOverview {
  people: number;
  deactivated: number;
  live_tokens: number;
  prices: number;
  unknown_models: number;
  unmapped_groups: number;
  audit_entries: number;
}

export async function adminOverview(db: Db): Promise<AdminOverview> {
  const one = async (sql: string, replacements: unknown[] = []) =>
    Number((await db.sequelize.query<{ n: number }>(sql, { replacements, type: QueryTypes.SELECT }))[0]?.n ?? 0);
  return {
    people: await one('SELECT COUNT(*) AS n FROM users WHERE active = ?', [true]),
    deactivated: await one('SELECT COUNT(*) AS n FROM users WHERE active = ?', [false]),
    live_tokens: await one('SELECT COUNT(*) AS n FROM agent_tokens WHERE revoked_at IS NULL'),
    prices: await one('SELECT COUNT(*) AS n FROM prices'),
    unknown_models: (await unknownModels(db)).length,
    unmapped_groups: await one('SELECT COUNT(*) AS n FROM (SELECT DISTINCT provider, label, identities FROM unmapped_usage) x'),
    audit_entries: await one('SELECT COUNT(*) AS n FROM audit_log'),
  };
}
