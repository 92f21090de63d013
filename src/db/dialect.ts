// Where SQLite and PostgreSQL differ, in one place. Everything else the repositories
// write is SQL both engines read the same way (ON CONFLICT … DO UPDATE with the target
// table named, RETURNING, row values, COALESCE(SUM(x), 0)).
import type { Dialect } from './sql.ts';

/** The smaller of two values: SQLite's two-argument MIN, PostgreSQL's LEAST. */
export function least(d: Dialect, a: string, b: string): string {
  return d === 'postgres' ? `LEAST(${a}, ${b})` : `MIN(${a}, ${b})`;
}

/** The larger of two values: SQLite's two-argument MAX, PostgreSQL's GREATEST. */
export function greatest(d: Dialect, a: string, b: string): string {
  return d === 'postgres' ? `GREATEST(${a}, ${b})` : `MAX(${a}, ${b})`;
}

/** `?, ?, ?` for n values. */
export function marks(n: number): string {
  return new Array(n).fill('?').join(',');
}

/** `(?,?,…),(?,?,…)` for a multi-row VALUES list. */
export function rowsOf(cols: number, rows: number): string {
  const one = `(${marks(cols)})`;
  return new Array(rows).fill(one).join(',');
}

/** A condition that is never true (SQLite accepts `0`, PostgreSQL wants a boolean). */
export const NEVER = '1 = 0';

/** Case-insensitive LIKE with `\` as the escape character. */
export function ilike(d: Dialect, column: string): string {
  return d === 'postgres' ? `${column} ILIKE ? ESCAPE '\\'` : `LOWER(${column}) LIKE ? ESCAPE '\\'`;
}

/**
 * Row locks for a reader that must not overlap a writer (PostgreSQL); SQLite has one
 * writer at a time anyway and no such clause.
 */
export function forShare(d: Dialect): string {
  return d === 'postgres' ? ' FOR SHARE' : '';
}

export function forUpdate(d: Dialect): string {
  return d === 'postgres' ? ' FOR UPDATE' : '';
}

/**
 * Names the index a SQLite query must use, where its planner (which has no statistics: the
 * server runs no ANALYZE) would pick a worse one; PostgreSQL plans from its statistics.
 */
export function indexedBy(d: Dialect, index: string): string {
  return d === 'sqlite' ? ` INDEXED BY ${index}` : '';
}

export type ColumnType = 'int' | 'bigint' | 'real' | 'text';
const PG_TYPES: Record<ColumnType, string> = { int: 'INTEGER', bigint: 'BIGINT', real: 'DOUBLE PRECISION', text: 'TEXT' };

/**
 * A VALUES list to UPDATE … FROM, with named columns: PostgreSQL names them in the alias
 * and needs each value typed; SQLite calls them column1, column2, ….
 */
export function valuesFrom(d: Dialect, alias: string, cols: [name: string, type: ColumnType][], rows: number): { from: string; col: (name: string) => string } {
  const index = new Map(cols.map(([name], i) => [name, i + 1]));
  if (d === 'postgres') {
    const one = `(${cols.map(([, t]) => `CAST(? AS ${PG_TYPES[t]})`).join(',')})`;
    return { from: `(VALUES ${new Array(rows).fill(one).join(',')}) AS ${alias}(${cols.map(([n]) => n).join(', ')})`, col: (name) => `${alias}.${name}` };
  }
  return { from: `(VALUES ${rowsOf(cols.length, rows)}) AS ${alias}`, col: (name) => `${alias}.column${index.get(name)}` };
}

/** Parameters bound per statement: SQLite allows 32766, PostgreSQL 65535. */
export function maxParams(d: Dialect): number {
  return d === 'postgres' ? 65_000 : 32_000;
}

// Decoders for columns whose JavaScript type differs by engine.

/** SQLite keeps booleans as 0/1, PostgreSQL as booleans. */
export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

/** A DATE column: SQLite gives text, PostgreSQL a Date. */
export function date(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

export function dateOrNull(v: unknown): Date | null {
  return v === null || v === undefined ? null : date(v);
}

/** A count or sum (null when a SUM had no rows). */
export function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export function jsonList(raw: unknown): string[] {
  try {
    const v = JSON.parse(String(raw ?? '[]'));
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** A unique index refused a row (two writers raced for the same key). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string };
  return e?.code === '23505' || (e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(String(e.message)));
}

/**
 * The database could not write because its storage is full: SQLite's SQLITE_FULL (the
 * file system, or max_page_count), PostgreSQL's disk_full (53100), or ENOSPC from a file
 * write. The write rolled back; it can be sent again once there is room.
 */
export function isStorageFull(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === 'SQLITE_FULL' || e?.code === '53100' || e?.code === 'ENOSPC';
}
