// The audit log (audit_log): append-only rows of who did what.
import { date, num } from '../dialect.ts';
import type { Sql } from '../sql.ts';

export interface AuditRow {
  id: number;
  at: Date;
  actor_user_id: number | null;
  actor: string;
  kind: string;
  target: string | null;
  /** The JSON text as stored. */
  details: string | null;
}

export async function insert(q: Sql, e: { actor_user_id: number | null; actor: string; kind: string; target: string | null; details: string | null }, now = new Date()): Promise<void> {
  await q.run('INSERT INTO audit_log (actor_user_id, actor, kind, target, details, created_at) VALUES (?,?,?,?,?,?)',
    [e.actor_user_id, e.actor, e.kind, e.target, e.details, now]);
}

export interface AuditFilter {
  actor?: string | null;
  /** One kind, or a family `price.*`. */
  kind?: string | null;
  /** Any of these kinds. */
  kinds?: string[];
  limit: number;
}

export async function list(q: Sql, f: AuditFilter): Promise<AuditRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.actor) { where.push('actor = ?'); params.push(f.actor); }
  if (f.kind) {
    if (f.kind.endsWith('.*')) { where.push("kind LIKE ? ESCAPE '\\'"); params.push(`${f.kind.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`); }
    else { where.push('kind = ?'); params.push(f.kind); }
  }
  if (f.kinds) { where.push(`kind IN (${f.kinds.map(() => '?').join(',')})`); params.push(...f.kinds); }
  const rows = await q.all<Record<string, unknown>>(
    `SELECT id, created_at, actor_user_id, actor, kind, target, details FROM audit_log
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`, [...params, f.limit]);
  return rows.map((r) => ({
    id: num(r.id), at: date(r.created_at), actor_user_id: r.actor_user_id === null ? null : num(r.actor_user_id),
    actor: String(r.actor), kind: String(r.kind), target: (r.target as string | null) ?? null, details: (r.details as string | null) ?? null,
  }));
}

export async function facets(q: Sql): Promise<{ actors: string[]; kinds: string[] }> {
  const [actors, kinds] = await Promise.all([
    q.all<{ v: string }>('SELECT DISTINCT actor AS v FROM audit_log ORDER BY v'),
    q.all<{ v: string }>('SELECT DISTINCT kind AS v FROM audit_log ORDER BY v'),
  ]);
  return { actors: actors.map((r) => r.v), kinds: kinds.map((r) => r.v) };
}

export async function count(q: Sql): Promise<number> {
  return num((await q.all<{ n: number }>('SELECT COUNT(*) AS n FROM audit_log'))[0]?.n);
}

