// Reading a pasted list of people (pure): logins, emails, "Name <email>", CSV with or
// without a header; every problem named with its line; nothing guessed in GitHub mode.
import test from 'ava';
import { loginFromEmail, parsePeopleList, splitFields } from '../src/admin/people-list.ts';

const local = { loginRequired: false };

test('one per line: logins, emails and "Name <email>"; blank lines and # comments skipped', (t) => {
  const r = parsePeopleList('ana\n\n# the web team\nben.ode@acme.dev\r\nCy Park <cy@acme.dev>\n', 'member', local);
  t.deepEqual(r.problems, []);
  t.deepEqual(r.people, [
    { line: 1, login: 'ana', name: null, email: null, role: 'member' },
    { line: 4, login: 'ben-ode', name: null, email: 'ben.ode@acme.dev', role: 'member' },
    { line: 5, login: 'cy', name: 'Cy Park', email: 'cy@acme.dev', role: 'member' },
  ]);
});

test('CSV without a header: email and role found wherever they are; login first, then the name', (t) => {
  const r = parsePeopleList('dee,"Dee, Jr.",dee@acme.dev,manager\neve;Eve Li\nFay Ng\tfay@acme.dev\tADMIN', 'member', local);
  t.deepEqual(r.problems, []);
  t.deepEqual(r.people.map((p) => [p.login, p.name, p.email, p.role]), [
    ['dee', 'Dee, Jr.', 'dee@acme.dev', 'manager'],
    ['eve', 'Eve Li', null, 'member'],
    ['fay', 'Fay Ng', 'fay@acme.dev', 'admin'],
  ]);
});

test('CSV with a header names the columns in any order', (t) => {
  const r = parsePeopleList('Email,Role,Login,Name\ngus@acme.dev,admin,gus,Gus Lee\nhal@acme.dev,,,\n', 'manager', local);
  t.deepEqual(r.problems, []);
  t.deepEqual(r.people.map((p) => [p.line, p.login, p.name, p.email, p.role]), [
    [2, 'gus', 'Gus Lee', 'gus@acme.dev', 'admin'],
    [3, 'hal', null, 'hal@acme.dev', 'manager'],
  ]);
});

test('every bad line is named; a login twice is refused on its second line', (t) => {
  const r = parsePeopleList('ana\nnot-a-login!,Nat\nbob@\nana\nivy,Ivy,ivy@acme.dev,boss\nkai,Kai,kai@acme.dev,member,extra', 'member', local);
  t.deepEqual(r.people.map((p) => p.login), ['ana']);
  t.deepEqual(r.problems.map((p) => [p.line, p.message]), [
    [2, 'login: "not-a-login!" is not a valid login (letters, digits and single hyphens, at most 39 characters)'],
    [3, 'email: "bob@" is not an email address'],
    [4, 'login: ana is already on line 1'],
    [5, 'role: "boss" is not a role; use one of member, manager, admin'],
    [6, 'fields: more than login, name, email and role (extra)'],
  ]);
  t.is(r.problems[0].text, 'not-a-login!,Nat');
});

test('GitHub mode needs the login: an email alone is not guessed into one', (t) => {
  const r = parsePeopleList('jo@acme.dev\njo-gh,jo@acme.dev', 'member', { loginRequired: true });
  t.deepEqual(r.problems.map((p) => [p.line, p.message]), [[1, 'login: a GitHub login is needed (GitHub sign-in finds people by their login, not their email)']]);
  t.deepEqual(r.people.map((p) => p.login), ['jo-gh']);
});

test('an empty paste is a problem, not a silent no-op', (t) => {
  t.deepEqual(parsePeopleList(' \n# nobody\n', 'member', local).problems.map((p) => p.message), ['list: paste at least one login or email, one per line']);
});

test('logins from emails; fields split on comma, semicolon or tab, quotes kept together', (t) => {
  t.is(loginFromEmail('Ana.Lima+ci@acme.dev'), 'ana-lima-ci');
  t.is(loginFromEmail('__x__@acme.dev'), 'x');
  t.deepEqual(splitFields('a, "b, c" ,d'), ['a', 'b, c', 'd']);
  t.deepEqual(splitFields('a;b;c'), ['a', 'b', 'c']);
  t.deepEqual(splitFields('"say ""hi""",x'), ['say "hi"', 'x']);
});
