// The audit log of admin actions (role changes, price edits, token revocations, imports).
import { Op, QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../db/connect.ts';

/** Who did something: a signed-in user, or the server's own CLI. */
export interface Actor {
  userId: number | null;
  login: string;
}

export const CLI_ACTOR: Actor = { userId: null, login: 'cli' };

export async function audit(db: Db, actor: Actor, kind: string, target: string | null, details: unknown, transaction?: Transaction): Promise<void> {
  await db.models.AuditEntry.create({
    actor_user_id: actor.userId,
    actor: actor.login,
    kind,
    target,
    details: details === undefined ? null : JSON.stringify(details),
  }, { transaction });
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  kind: string;
  target: string | null;
  details: unknown;
}

/** The newest entries first, optionally only one actor's and/or one kind (or kind prefix `price.*`). */
export async function listAudit(db: Db, f: { actor?: string | null; kind?: string | null; limit?: number } = {}): Promise<AuditRow[]> {
  const where: Record<string | symbol, unknown> = {};
  if (f.actor) where.actor = f.actor;
  if (f.kind) where.kind = f.kind.endsWith('.*') ? { [Op.like]: `${f.kind.slice(0, -1)}%` } : f.kind;
  const rows = await db.models.AuditEntry.findAll({ where, order: [['id', 'DESC']], limit: Math.min(Math.max(1, f.limit ?? 200), 1000) });
  return rows.map((r) => {
    let details: unknown = null;
    try { details = r.details ? JSON.parse(r.details) : null; } catch { details = r.details; }
    return { id: r.id, at: r.created_at, actor: r.actor, kind: r.kind, target: r.target, details };
  });
}

/** The actors and kinds that occur in the log, for the filter menus. */
export async function auditFacets(db: Db): Promise<{ actors: string[]; kinds: string[] }> {
  const [actors, kinds] = await Promise.all([
    db.sequelize.query<{ v: string }>('SELECT DISTINCT actor AS v FROM audit_log ORDER BY v', { type: QueryTypes.SELECT }),
    db.sequelize.query<{ v: string }>('SELECT DISTINCT kind AS v FROM audit_log ORDER BY v', { type: QueryTypes.SELECT }),
  ]);
  return { actors: actors.map((r) => r.v), kinds: kinds.map((r) => r.v) };
}

/** The audit page in one call: the filtered entries and the filter menus. */
export async function auditView(db: Db, f: { actor?: string | null; kind?: string | null; limit?: number }): Promise<{ entries: AuditRow[]; actors: string[]; kinds: string[] }> {
  const [entries, facets] = await Promise.all([listAudit(db, f), auditFacets(db)]);
  return { entries, ...facets };
}
