// The one way the product talks to its database: `?` placeholders, plain parameters, rows
// back as plain objects with numbers as numbers on both engines. Repositories (src/db/repos/)
// are the only callers; the domain never sees SQL.
import pg from 'pg';
import type { SqliteConn } from './connect.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Sql {
  readonly dialect: Dialect;
  /** Rows of a query (or of a write with RETURNING). */
  all<T extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a write; resolves to the number of rows it changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

/** The first row, or undefined. */
export async function one<T extends object>(q: Sql, text: string, params: readonly unknown[] = []): Promise<T | undefined> {
  return (await q.all<T>(text, params))[0];
}

/** The text form Sequelize gives DATE columns in SQLite, so raw writes read back the same. */
export function sqliteDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', ' +00:00');
}

function sqliteParams(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p instanceof Date ? sqliteDate(p) : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

/** Sql over one sqlite3 connection (the default reader, or a transaction's own). */
export function sqliteSql(conn: SqliteConn): Sql {
  return {
    dialect: 'sqlite',
    all: <T extends object>(text: string, params: readonly unknown[] = []) => new Promise<T[]>((resolve, reject) => {
      conn.all(text, sqliteParams(params), (err, rows) => (err ? reject(err) : resolve(rows as T[])));
    }),
    run: (text, params = []) => new Promise<number>((resolve, reject) => {
      conn.run(text, sqliteParams(params), function (err) { if (err) reject(err); else resolve(this.changes); });
    }),
  };
}

export { sqliteParams };

/** A statement that writes (`all` is also used for writes with RETURNING). */
export const WRITE_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|REPLACE|WITH\b[\s\S]*\b(INSERT|UPDATE|DELETE)\b)/i;

// PostgreSQL hands BIGINT (int8), COUNT(*) and SUM() (numeric) back as strings so no
// precision is lost. Token counts stay far below 2^53, so numbers are the honest type here.
const INT8 = 20;
const NUMERIC = 1700;
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => (v === null ? null : Number(v));
    return (pg.types.getTypeParser as (o: number, f?: string) => (v: string) => unknown)(oid, format);
  },
};

/** `?` placeholders → `$1, $2, …`, leaving quoted strings and identifiers alone. */
export function pgPlaceholders(text: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

const converted = new Map<string, string>();
function pgText(text: string): string {
  let t = converted.get(text);
  if (t === undefined) {
    t = pgPlaceholders(text);
    if (converted.size > 2000) converted.clear();
    converted.set(text, t);
  }
  return t;
}

export interface PgQueryable {
  query(config: { name?: string; text: string; values: unknown[]; types: typeof pgTypes }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

// A write run again and again (ingest's) is prepared once per connection: PostgreSQL then
// skips parsing and, after a few runs, planning it. Only writes: a prepared read may get a
// generic plan, blind to its parameters, and the pages' reads (a 30-day range vs all time)
// measured 2-3× slower on a cold cache that way. Named only once a text repeats, and only
// so many, since each connection keeps every statement it prepared until it closes.
// (No statement here reads `*`: a column added by a later migration cannot change the
// result type of a prepared one under a running replica.)
const PREPARE_AFTER = 3;
const MAX_PREPARED = 200;
const seen = new Map<string, number>();
const names = new Map<string, string>();

function pgQuery(text: string, params: readonly unknown[]): { name?: string; text: string; values: unknown[]; types: typeof pgTypes } {
  const t = pgText(text);
  let name = names.get(t);
  if (name === undefined && names.size < MAX_PREPARED && WRITE_STATEMENT.test(t)) {
    const n = (seen.get(t) ?? 0) + 1;
    if (n >= PREPARE_AFTER) {
      names.set(t, (name = `tb${names.size}`));
      seen.delete(t);
    } else {
      if (seen.size > 2000) seen.clear();
      seen.set(t, n);
    }
  }
  return { ...(name ? { name } : {}), text: t, values: [...params], types: pgTypes };
}

/** Sql over one PostgreSQL client (a transaction's connection). */
export function pgSql(client: PgQueryable): Sql {
  return {
    dialect: 'postgres',
    all: async <T extends object>(text: string, params: readonly unknown[] = []) => (await client.query(pgQuery(text, params))).rows as T[],
    run: async (text, params = []) => (await client.query(pgQuery(text, params))).rowCount ?? 0,
  };
}
