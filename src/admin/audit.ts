// The audit log of admin actions (role changes, price edits, token revocations, imports).
import type { Db } from '../db/connect.ts';
import type { Sql } from '../db/sql.ts';
import * as auditRepo from '../db/repos/audit.ts';

/** Who did something: a signed-in user, or the server's own CLI. */
export interface Actor {
  userId: number | null;
  login: string;
}

export const CLI_ACTOR: Actor = { userId: null, login: 'cli' };

/** Records an action, in the transaction that did it when there is one (`q` = tx or db.sql). */
export async function audit(q: Sql, actor: Actor, kind: string, target: string | null, details: unknown): Promise<void> {
  await auditRepo.insert(q, { actor_user_id: actor.userId, actor: actor.login, kind, target, details: details === undefined ? null : JSON.stringify(details) });
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  kind: string;
  target: string | null;
  details: unknown;
}

function parseDetails(raw: string | null): unknown {
  if (!raw) return null;
  try { return JSON.parse(raw); } catch { return raw; }
}

/** The newest entries first, optionally only one actor's and/or one kind (or kind prefix `price.*`). */
export async function listAudit(db: Db, f: { actor?: string | null; kind?: string | null; kinds?: string[]; limit?: number } = {}): Promise<AuditRow[]> {
  const rows = await auditRepo.list(db.sql, { actor: f.actor, kind: f.kind, kinds: f.kinds, limit: Math.min(Math.max(1, f.limit ?? 200), 1000) });
  return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, kind: r.kind, target: r.target, details: parseDetails(r.details) }));
}

/** The actors and kinds that occur in the log, for the filter menus. */
export function auditFacets(db: Db): Promise<{ actors: string[]; kinds: string[] }> {
  return auditRepo.facets(db.sql);
}

/** The audit page in one call: the filtered entries and the filter menus. */
export async function auditView(db: Db, f: { actor?: string | null; kind?: string | null; limit?: number }): Promise<{ entries: AuditRow[]; actors: string[]; kinds: string[] }> {
  const [entries, facets] = await Promise.all([listAudit(db, f), auditFacets(db)]);
  return { entries, ...facets };
}
