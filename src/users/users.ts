// People: local accounts made by the CLI or the admin, and (issue "Sign-in and roles")
// GitHub accounts made at first sign-in.
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import { isUniqueViolation } from '../db/dialect.ts';
import { ROLES, type Role, type User } from '../db/repos/users.ts';
import { AppError, BadInput, NotFound } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';

export type { Role, User } from '../db/repos/users.ts';
export { ROLES } from '../db/repos/users.ts';

const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const EMAIL_RE = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

export function isRole(r: string): r is Role {
  return (ROLES as readonly string[]).includes(r);
}

export interface NewUser {
  login: string;
  role?: string;
  name?: string | null;
  email?: string | null;
  github?: boolean;
}

/** Why these values cannot make an account (the message starts with the field), or null. */
export function newUserProblem(u: NewUser): string | null {
  if (!LOGIN_RE.test(u.login ?? '')) return `login: "${u.login}" is not a valid login (letters, digits and single hyphens, at most 39 characters)`;
  const role = u.role ?? 'member';
  if (!isRole(role)) return `role: "${role}" is not a role; use one of ${ROLES.join(', ')}`;
  if (u.email != null && !EMAIL_RE.test(u.email)) return `email: "${u.email}" is not an email address`;
  if (u.name != null && (u.name.length > 255 || /[\p{Cc}\p{Cf}]/u.test(u.name))) return 'name: at most 255 printable characters';
  return null;
}

export async function addUser(db: Db, u: NewUser, actor: Actor): Promise<User> {
  const problem = newUserProblem(u);
  if (problem) throw new BadInput(problem);
  const role = (u.role ?? 'member') as Role;
  const exists = () => new AppError(409, 'user_exists', `user ${u.login} already exists`);
  try {
    return await db.transaction(async (tx) => {
      if (await users.byLogin(tx, u.login)) throw exists();
      const user = await users.insert(tx, { login: u.login, role, name: u.name ?? null, email: u.email ?? null, link_github: Boolean(u.github) });
      await audit(tx, actor, 'user.add', u.login, { role, github: Boolean(u.github) });
      return user;
    });
  } catch (err) {
    // Two requests (or replicas) adding the same login at once: the index decides.
    if (isUniqueViolation(err)) throw exists();
    throw err;
  }
}

export async function findUser(db: Db, login: string): Promise<User | null> {
  return users.byLogin(db.sql, login);
}

export async function requireUser(db: Db, login: string): Promise<User> {
  const user = await findUser(db, login);
  if (!user) throw new NotFound(`no user with login "${login}"; create one with: tokenboard user add ${login}`);
  return user;
}
