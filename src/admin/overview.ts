// The admin panel's start page numbers: what each section holds and what needs attention.
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import * as tokens from '../db/repos/tokens.ts';
import * as prices from '../db/repos/prices.ts';
import * as auditRepo from '../db/repos/audit.ts';
import { unmappedGroupCount } from '../db/repos/imports.ts';
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
  const q = db.sql;
  const [people, deactivated, live, priced, unknown, unmapped, entries] = await Promise.all([
    users.count(q, true), users.count(q, false), tokens.countLive(q), prices.count(q), unknownModels(db), unmappedGroupCount(q), auditRepo.count(q),
  ]);
  return { people, deactivated, live_tokens: live, prices: priced, unknown_models: unknown.length, unmapped_groups: unmapped, audit_entries: entries };
}
