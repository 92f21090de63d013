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
