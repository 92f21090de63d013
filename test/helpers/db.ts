// Direct database access for tests: changing people the way the admin panel or a GitHub
// sign-in would, and reading rows to check what was stored (portable SQL, both engines).
import type { Db } from '../../src/db/connect.ts';
import * as users from '../../src/db/repos/users.ts';
import type { User, UserPatch } from '../../src/db/repos/users.ts';

export async function userByLogin(db: Db, login: string): Promise<User | null> {
  return users.byLogin(db.sql, login);
}

export async function updateUser(db: Db, login: string, patch: UserPatch): Promise<User> {
  const u = await users.byLogin(db.sql, login);
  if (!u) throw new Error(`updateUser: no user ${login}`);
  return (await users.update(db.sql, u.id, patch))!;
}

/** Rows of a query (SQL both engines read alike). */
export function rows<T extends object = Record<string, unknown>>(db: Db, sql: string, params: unknown[] = []): Promise<T[]> {
  return db.sql.all<T>(sql, params);
}

/** The name of every table. */
export async function everyTable(db: Db): Promise<string[]> {
  return db.dialect === 'postgres'
    ? (await db.sql.all<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")).map((r) => r.name)
    : (await db.sql.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name);
}

/** Every row of every table as one text, to prove something is stored nowhere. */
export async function everyRow(db: Db): Promise<string> {
  const out: string[] = [];
  for (const t of await everyTable(db)) out.push(t, JSON.stringify(await db.sql.all(`SELECT * FROM ${t}`)));
  return out.join('\n');
}
