// What the database itself says about its tables (for copy-db): names, columns, primary
// keys and foreign keys, on either engine.
import type { Sql } from '../sql.ts';

export interface TableInfo {
  name: string;
  columns: string[];
  primaryKey: string[];
  /** Tables this one refers to. */
  references: string[];
  /** Column types as the engine names them (for PostgreSQL sequences and booleans). */
  types: Record<string, string>;
}

const INTERNAL = new Set(['schema_migrations', 'sqlite_sequence']);

export async function tables(q: Sql): Promise<TableInfo[]> {
  return q.dialect === 'postgres' ? pgTables(q) : sqliteTables(q);
}

async function sqliteTables(q: Sql): Promise<TableInfo[]> {
  const names = (await q.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).map((r) => r.name);
  const out: TableInfo[] = [];
  for (const name of names) {
    if (INTERNAL.has(name)) continue;
    const cols = await q.all<{ name: string; type: string; pk: number }>(`PRAGMA table_info("${name}")`);
    const fks = await q.all<{ table: string }>(`PRAGMA foreign_key_list("${name}")`);
    out.push({
      name, columns: cols.map((c) => c.name),
      primaryKey: cols.filter((c) => Number(c.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk)).map((c) => c.name),
      references: [...new Set(fks.map((f) => f.table))].filter((t) => t !== name),
      types: Object.fromEntries(cols.map((c) => [c.name, c.type.toLowerCase()])),
    });
  }
  return out;
}

async function pgTables(q: Sql): Promise<TableInfo[]> {
  const names = (await q.all<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")).map((r) => r.name);
  const out: TableInfo[] = [];
  for (const name of names) {
    if (INTERNAL.has(name)) continue;
    const cols = await q.all<{ name: string; type: string }>(
      'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position', [name]);
    const pk = await q.all<{ name: string }>(
      `SELECT k.column_name AS name FROM information_schema.table_constraints c
         JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema
        WHERE c.table_schema = current_schema() AND c.table_name = ? AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position`, [name]);
    const fks = await q.all<{ target: string }>(
      `SELECT DISTINCT u.table_name AS target FROM information_schema.table_constraints c
         JOIN information_schema.constraint_column_usage u ON u.constraint_name = c.constraint_name AND u.table_schema = c.table_schema
        WHERE c.table_schema = current_schema() AND c.table_name = ? AND c.constraint_type = 'FOREIGN KEY'`, [name]);
    out.push({
      name, columns: cols.map((c) => c.name), primaryKey: pk.map((c) => c.name),
      references: fks.map((f) => f.target).filter((t) => t !== name),
      types: Object.fromEntries(cols.map((c) => [c.name, c.type.toLowerCase()])),
    });
  }
  return out;
}

export async function count(q: Sql, table: string): Promise<number> {
  return Number((await q.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n ?? 0);
}

/** A page of rows after `after` (a primary key tuple), in key order. */
export async function page(q: Sql, t: TableInfo, after: unknown[] | null, limit: number): Promise<Record<string, unknown>[]> {
  const key = t.primaryKey.length ? t.primaryKey : t.columns;
  const cols = t.columns.join(', ');
  const order = key.join(', ');
  if (after === null) return q.all(`SELECT ${cols} FROM ${t.name} ORDER BY ${order} LIMIT ?`, [limit]);
  const cond = key.length === 1 ? `${key[0]} > ?` : `(${key.join(', ')}) > (${key.map(() => '?').join(', ')})`;
  return q.all(`SELECT ${cols} FROM ${t.name} WHERE ${cond} ORDER BY ${order} LIMIT ?`, [...after, limit]);
}

export async function insertRows(q: Sql, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const one = `(${columns.map(() => '?').join(',')})`;
  await q.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${new Array(rows.length).fill(one).join(',')}`, rows.flat());
}

export async function clear(q: Sql, table: string): Promise<void> {
  await q.run(`DELETE FROM ${table}`);
}

/** PostgreSQL: after rows came with their ids, the id sequences continue after them. */
export async function resetSequences(q: Sql, t: TableInfo): Promise<void> {
  if (q.dialect !== 'postgres') return;
  for (const c of t.columns) {
    const seq = (await q.all<{ s: string | null }>('SELECT pg_get_serial_sequence(?, ?) AS s', [t.name, c]))[0]?.s;
    if (seq) await q.run(`SELECT setval('${seq}', COALESCE((SELECT MAX(${c}) FROM ${t.name}), 0) + 1, false)`);
  }
}
