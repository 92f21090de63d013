// Adding people from the admin panel: one at a time, or a pasted list. The same domain
// calls as `tokenboard user add` and `tokenboard login-link`, so the rules, the audit log
// and the link's lifetime are the same from the web and the CLI.
//  - local mode: the account is made and a one-time sign-in link comes back to hand over;
//  - GitHub mode: the account is made for that GitHub login (`user add --github`), so its
//    first GitHub sign-in claims it with the role given here; no link is needed, members
//    of the org get in by themselves.
import type { Db } from '../db/connect.ts';
import { AppError, BadInput } from '../errors.ts';
import { addUser, findUser } from '../users/users.ts';
import { createLoginLink, type LoginLink } from '../auth/login-links.ts';
import type { Actor } from './audit.ts';
import { parsePeopleList, type ListProblem } from './people-list.ts';

export type SignInMode = 'local' | 'github';

export interface PersonDraft {
  login: string;
  name: string;
  email: string;
  role: string;
}

export interface AddedPerson {
  login: string;
  name: string | null;
  role: string;
  /** Local mode: the one-time link to hand over. */
  link: LoginLink | null;
}

async function create(db: Db, mode: SignInMode, p: { login: string; name: string | null; email: string | null; role: string }, actor: Actor, linkBase: string): Promise<AddedPerson> {
  const user = await addUser(db, { login: p.login, name: p.name, email: p.email, role: p.role, github: mode === 'github' }, actor);
  const link = mode === 'local' ? await createLoginLink(db, user, linkBase, actor) : null;
  return { login: user.login, name: user.name ?? null, role: user.role, link };
}

/** One person from the "Add a person" form (empty name and email mean none). */
export async function invitePerson(db: Db, mode: SignInMode, d: PersonDraft, actor: Actor, linkBase: string): Promise<AddedPerson> {
  const login = d.login.trim();
  if (!login) throw new BadInput('login: a login is needed (letters, digits and single hyphens)');
  try {
    return await create(db, mode, { login, name: d.name.trim() || null, email: d.email.trim() || null, role: d.role || 'member' }, actor, linkBase);
  } catch (err) {
    if (err instanceof AppError && err.code === 'user_exists') throw new AppError(409, 'user_exists', `login: ${login} already has an account (find it in the table below)`);
    throw err;
  }
}

export interface BulkResult {
  /** Lines that cannot be added; when there are any, nobody was added. */
  problems: ListProblem[];
  added: AddedPerson[];
  /** Logins that already had an account: left as they are. */
  existing: string[];
}

/** A pasted list: every line is checked first; one bad line adds nobody. */
export async function addPeople(db: Db, mode: SignInMode, text: string, defaultRole: string, actor: Actor, linkBase: string): Promise<BulkResult> {
  const parsed = parsePeopleList(text, defaultRole || 'member', { loginRequired: mode === 'github' });
  if (parsed.problems.length) return { problems: parsed.problems, added: [], existing: [] };
  const added: AddedPerson[] = [];
  const existing: string[] = [];
  for (const p of parsed.people) {
    if (await findUser(db, p.login)) {
      existing.push(p.login);
      continue;
    }
    try {
      added.push(await create(db, mode, p, actor, linkBase));
    } catch (err) {
      // Made by someone else between the check and now: it exists, which is what was asked.
      if (err instanceof AppError && err.code === 'user_exists') existing.push(p.login);
      else throw err;
    }
  }
  return { problems: [], added, existing };
}
