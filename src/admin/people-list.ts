// Reading a pasted list of people (pure, no database): one person per line, as a login, an
// email, "Name <email>", or CSV fields (login,name,email,role; a header row may name the
// columns in any order). Separators: comma, semicolon or tab; fields may be "quoted".
// Every line is checked before anything is created, so one bad line refuses the paste
// with its line number and loses nothing (the text stays in the form).
import { newUserProblem } from '../users/users.ts';
import { ROLES } from '../db/repos/users.ts';

export const MAX_LINES = 500;

export interface ListedPerson {
  line: number;
  login: string;
  name: string | null;
  email: string | null;
  role: string;
}

export interface ListProblem {
  line: number;
  text: string;
  message: string;
}

export interface ParsedList {
  people: ListedPerson[];
  problems: ListProblem[];
}

const HEADERS: Record<string, keyof Omit<ListedPerson, 'line'>> = {
  login: 'login', username: 'login', user: 'login', github: 'login', 'github login': 'login',
  name: 'name', 'full name': 'name', email: 'email', 'e-mail': 'email', mail: 'email', role: 'role',
};

/** One CSV line's fields: quotes may hold separators, "" is a quote. */
export function splitFields(line: string): string[] {
  const sep = line.includes('\t') ? '\t' : line.includes(';') && !line.includes(',') ? ';' : ',';
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"' && cur.trim() === '') { quoted = true; cur = ''; } else if (c === sep) { out.push(cur.trim()); cur = ''; } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** A login from an email's local part: "Ana.Lima+ci@acme.dev" → "ana-lima-ci". */
export function loginFromEmail(email: string): string {
  return email.split('@')[0].toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 39).replace(/-+$/, '');
}

type Column = keyof Omit<ListedPerson, 'line'>;

function fromHeader(cols: (Column | null)[], fields: string[]): Partial<Record<Column, string>> {
  const p: Partial<Record<Column, string>> = {};
  cols.forEach((k, j) => { if (k && fields[j]) p[k] = fields[j]; });
  return p;
}

const isRoleWord = (v: string) => (ROLES as readonly string[]).includes(v.toLowerCase());

/**
 * Fields of a line without a header: an email wherever it is ("Name <email>" too) and a
 * role word; the rest in the order login, name, role. A first field with spaces is a name.
 */
function classify(fields: string[]): Partial<Omit<ListedPerson, 'line'>> | string {
  const p: Partial<Omit<ListedPerson, 'line'>> = {};
  const rest: string[] = [];
  for (const f of fields) {
    if (!f) continue;
    const named = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(f);
    if (named && !p.email) {
      p.email = named[2];
      if (named[1]) p.name = named[1].replace(/^"|"$/g, '');
    } else if (f.includes('@') && !/\s/.test(f) && !p.email) p.email = f;
    else if (fields.length > 1 && isRoleWord(f) && !p.role) p.role = f.toLowerCase();
    else rest.push(f);
  }
  if (rest.length && !/\s/.test(rest[0]) && !p.login) p.login = rest.shift();
  if (rest.length && !p.name) p.name = rest.shift();
  if (rest.length && !p.role) p.role = rest.shift();
  if (rest.length) return `fields: more than login, name, email and role (${rest.join(', ')})`;
  return p;
}

export function parsePeopleList(text: string, defaultRole: string, opts: { loginRequired: boolean }): ParsedList {
  const people: ListedPerson[] = [];
  const problems: ListProblem[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let header: (Column | null)[] | null = null;
  const seen = new Map<string, number>();
  let count = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (!text || text.startsWith('#')) return;
    const fields = splitFields(text);
    if (header === null && count === 0 && fields.some((f) => HEADERS[f.toLowerCase()] === 'login' || HEADERS[f.toLowerCase()] === 'email') && fields.every((f) => !f || f.toLowerCase() in HEADERS)) {
      header = fields.map((f) => HEADERS[f.toLowerCase()] ?? null);
      return;
    }
    if (++count > MAX_LINES) {
      if (count === MAX_LINES + 1) problems.push({ line, text, message: `at most ${MAX_LINES} people at once; add the rest in another paste` });
      return;
    }
    const cols = header;
    const got = cols ? fromHeader(cols, fields) : classify(fields);
    if (typeof got === 'string') {
      problems.push({ line, text, message: got });
      return;
    }
    const email = got.email ?? null;
    let login = got.login ?? '';
    if (!login && email) {
      if (opts.loginRequired) {
        problems.push({ line, text, message: 'login: a GitHub login is needed (GitHub sign-in finds people by their login, not their email)' });
        return;
      }
      login = loginFromEmail(email);
    }
    if (!login) {
      problems.push({ line, text, message: 'login: no login or email on this line' });
      return;
    }
    const person: ListedPerson = { line, login, name: got.name ?? null, email, role: (got.role ?? defaultRole).toLowerCase() };
    const problem = newUserProblem(person);
    if (problem) {
      problems.push({ line, text, message: problem });
      return;
    }
    const twice = seen.get(login.toLowerCase());
    if (twice !== undefined) {
      problems.push({ line, text, message: `login: ${login} is already on line ${twice}` });
      return;
    }
    seen.set(login.toLowerCase(), line);
    people.push(person);
  });
  if (people.length === 0 && problems.length === 0) problems.push({ line: 0, text: '', message: 'list: paste at least one login or email, one per line' });
  return { people, problems };
}
