// Local mode's first start: with no GitHub app and nobody in the database, nobody could
// ever sign in. The server makes an `admin` account and hands its operator a one-time link.
import type { Services } from '../services.ts';
import { githubConfigured } from '../config.ts';
import { addUser } from '../users/users.ts';
import { CLI_ACTOR } from '../admin/audit.ts';
import { AppError } from '../errors.ts';
import { count } from '../db/repos/users.ts';
import { createLoginLink, linkBase, type LoginLink } from './login-links.ts';

export const FIRST_ADMIN_LOGIN = 'admin';

/** Returns the link to print, or null when this is not a first start in local mode. */
export async function firstStartAdmin(s: Services, reachableAt?: string): Promise<LoginLink | null> {
  if (githubConfigured(s.cfg)) return null;
  if ((await count(s.db.sql)) > 0) return null;
  let user;
  try {
    user = await addUser(s.db, { login: FIRST_ADMIN_LOGIN, role: 'admin', name: 'Administrator' }, CLI_ACTOR);
  } catch (err) {
    // Replicas starting together on an empty database: one of them made the account (and
    // printed its link); the others go on.
    if (err instanceof AppError && err.code === 'user_exists') return null;
    throw err;
  }
  return createLoginLink(s.db, user, linkBase(s.cfg, reachableAt), CLI_ACTOR);
}
