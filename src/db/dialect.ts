// Where SQLite and PostgreSQL differ, in one place. Everything else the repositories
// write is SQL both engines read the same way (ON CONFLICT … DO UPDATE with the target
// table named, RETURNING, row values, COALESCE(SUM(x), 0)).
import type { Dialect, Sql } from './sql.ts';

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

/** One SQL statement with its `?` parameters, to be run later or together with others. */
export interface Statement {
  text: string;
  params: unknown[];
}

/**
 * Runs `writes` and then `last`, returning `last`'s rows. On PostgreSQL they go as ONE
 * statement, the writes as data-modifying WITH clauses (always run to completion, whatever
 * `last` reads), so a batch pays one round trip instead of one per table: at ingest rates
 * the round trips (a socket write and a wake-up of the database process each) were most of
 * the server's CPU. That shares one snapshot, so the callers' rule: each write is a single
 * INSERT/UPDATE/DELETE (no WITH of its own), they touch different rows, and none of them
 * (nor `last`) needs to see another one's changes. SQLite runs them one by one: a statement
 * there costs no round trip. (PostgreSQL only: a clause given a `name` may be read by the
 * later ones, as the read model's chain does with its inserts' RETURNING.)
 */
export async function together<T extends object>(q: Sql, writes: (Statement & { name?: string })[], last: Statement): Promise<T[]> {
  if (q.dialect === 'sqlite' || writes.length === 0) {
    for (const w of writes) await q.run(w.text, w.params);
    return q.all<T>(last.text, last.params);
  }
  const text = `WITH ${writes.map((w, i) => `${w.name ?? `w${i}`} AS (${w.text})`).join(',\n')}\n${last.text}`;
  return q.all<T>(text, [...writes.flatMap((w) => w.params), ...last.params]);
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
