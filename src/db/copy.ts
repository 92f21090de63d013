// `tokenboard copy-db URL`: every table of the configured database into an empty one (the
// usual move is SQLite → PostgreSQL; the other way works too). The target is migrated to
// the same schema first; tables are copied in foreign-key order, in batches, keys and ids
// as they are; then row counts and every person's totals are compared on both sides.
import type { Db } from './connect.ts';
import { migrate } from './migrate.ts';
import * as schema from './repos/schema.ts';
import type { TableInfo } from './repos/schema.ts';
import { listAll } from './repos/users.ts';
import { maxParams } from './dialect.ts';
import { BadInput } from '../errors.ts';
import { userStats } from '../usage/stats.ts';

export interface CopyReport {
  tables: { table: string; source: number; target: number }[];
  people: number;
  /** People whose totals differ between the two databases (none when the copy is right). */
  mismatched: string[];
  ok: boolean;
}

/** Tables that must come first: those the others point to. */
export function copyOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (t: TableInfo, path: Set<string>) => {
    if (done.has(t.name) || path.has(t.name)) return;
    path.add(t.name);
    for (const r of t.references) { const dep = byName.get(r); if (dep) visit(dep, path); }
    done.add(t.name);
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t, new Set());
  return out;
}

/** What must hold before anything is written: the target has no one and nothing in it. */
async function checkEmpty(target: Db): Promise<void> {
  const present = new Set((await schema.tables(target.sql)).map((t) => t.name));
  for (const t of ['users', 'usage_events', 'daily_rollups', 'audit_log']) {
    if (present.has(t) && (await schema.count(target.sql, t)) > 0) {
      throw new BadInput(`copy-db: the target database is not empty (${t} has rows); copy into a new, empty database`);
    }
  }
}

export async function copyDatabase(source: Db, target: Db, progress: (line: string) => void = () => {}): Promise<CopyReport> {
  await checkEmpty(target);
  await migrate(target);
  const sourceTables = await schema.tables(source.sql);
  const targetTables = new Map((await schema.tables(target.sql)).map((t) => [t.name, t]));
  const missing = sourceTables.filter((t) => !targetTables.has(t.name)).map((t) => t.name);
  if (missing.length) throw new BadInput(`copy-db: the target has no table ${missing.join(', ')}; both sides must run the same TokenBoard version`);
  const order = copyOrder(sourceTables);
  // What the target's own migrations seeded (prices, versions, markers) makes way for the source's rows.
  for (const t of [...order].reverse()) await target.transaction((tx) => schema.clear(tx, t.name));
  for (const t of order) {
    const columns = t.columns.filter((c) => targetTables.get(t.name)!.columns.includes(c));
    const total = await schema.count(source.sql, t.name);
    const per = Math.max(1, Math.min(2000, Math.floor(maxParams(target.dialect) / Math.max(1, columns.length))));
    let after: unknown[] | null = null;
    let copied = 0;
    let lastLine = 0;
    for (;;) {
      const rows = await schema.page(source.sql, t, after, per);
      if (rows.length === 0) break;
      await target.transaction((tx) => schema.insertRows(tx, t.name, columns, rows.map((r) => columns.map((c) => r[c]))));
      copied += rows.length;
      const last = rows[rows.length - 1];
      after = (t.primaryKey.length ? t.primaryKey : t.columns).map((c) => last[c]);
      if (copied - lastLine >= 100_000 || copied === total) {
        progress(`copy-db: ${t.name} ${copied}/${total}`);
        lastLine = copied;
      }
    }
    if (total === 0) progress(`copy-db: ${t.name} 0/0`);
    await schema.resetSequences(target.sql, targetTables.get(t.name)!);
  }
  return compare(source, target, order.map((t) => t.name));
}

async function compare(source: Db, target: Db, tables: string[]): Promise<CopyReport> {
  const counts = [];
  for (const table of tables) counts.push({ table, source: await schema.count(source.sql, table), target: await schema.count(target.sql, table) });
  const people = await listAll(source.sql);
  const targetPeople = new Map((await listAll(target.sql)).map((u) => [u.id, u]));
  const mismatched: string[] = [];
  for (const u of people) {
    const there = targetPeople.get(u.id);
    const same = there !== undefined
      && alike(await userStats(source, u), await userStats(target, there))
      && alike(await userStats(source, u, { reconciled: true }), await userStats(target, there, { reconciled: true }));
    if (!same) mismatched.push(u.login);
  }
  return { tables: counts, people: people.length, mismatched, ok: mismatched.length === 0 && counts.every((c) => c.source === c.target) };
}

/** Equal, numbers up to floating-point summation order (the engines may return groups in another order). */
export function alike(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => alike(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => alike((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}
