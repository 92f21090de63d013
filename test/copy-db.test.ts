// `tokenboard copy-db URL`: a database with people, tokens, usage (provider numbers that
// replaced self-reported ones included), sessions, an edited price and the audit log is
// copied into an empty one; both then answer `stats` the same for every person, a server
// on the copy signs the same agent tokens, and a non-empty target is refused. On the
// PostgreSQL pass the copy goes SQLite → PostgreSQL and back; on the SQLite pass into a
// second SQLite file.
import test from 'ava';
import { join } from 'node:path';
import { main } from '../src/cli.ts';
import { withApp, postIngest, event, tempDir } from './helpers/app.ts';
import { ENGINE, freshPostgres } from './helpers/engine.ts';
import { storeImported } from '../src/imports/mapping.ts';
import { setPrice } from '../src/pricing/store.ts';
import { addUser } from '../src/users/users.ts';
import { addMember, addTeam, listTeams } from '../src/teams/teams.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';

async function cli(env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  return { code, out, err };
}

const noon = (d: number) => Date.UTC(2026, 9, d, 12);

/** A source database with something of everything; returns its data dir and database URL. */
async function populated(url: string) {
  const dir = tempDir();
  const app = await withApp({ 'database.url': url }, dir);
  const s = app.running.services;
  await addUser(s.db, { login: 'ana', email: 'ana@acme.dev' }, CLI_ACTOR);
  const ana = await app.createToken('ana', 'laptop');
  await app.createUser('ben');
  const ben = await app.createToken('ben');
  await postIngest(app.url, ana, { events: [
    event({ ts: noon(1), model: 'claude-haiku-4-5', input_tokens: 600, output_tokens: 10, session: 's1', source: 'claude-code', cache_write_tokens: 100, cache_write_1h_tokens: 40 }),
    event({ ts: noon(2), provider: 'openai', model: 'gpt-5', input_tokens: 500, output_tokens: 20, session: 's2', skills: ['review'] }),
    event({ ts: noon(3), provider: 'acme', model: 'acme-x', input_tokens: 7, output_tokens: 3 }),
  ] });
  await postIngest(app.url, ben, { events: [event({ ts: noon(2), provider: 'ollama', model: 'llama3', is_local: true, input_tokens: 9, output_tokens: 9 })] });
  // A provider's own numbers for ana's day 1 (they replace the logs' haiku tokens that day).
  await storeImported(s, 'anthropic-admin', [{
    event: { ts: noon(1), provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false, input_tokens: 1500, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, id: 'aa:d1', source: 'anthropic-admin' },
    identities: [['email', 'ana@acme.dev']], label: 'ana@acme.dev',
  }]);
  await setPrice(s.db, { model: 'acme-x', input: 2, output: 4 }, CLI_ACTOR);
  await addTeam(s.db, { slug: 'core' }, CLI_ACTOR);
  await addMember(s.db, 'core', 'ben', CLI_ACTOR);
  await app.stop();
  return { dir, ana };
}

async function stats(env: Record<string, string>, login: string, reconciled = false) {
  const r = await cli(env, 'stats', login, '--json', ...(reconciled ? ['--reconciled'] : []));
  if (r.code !== 0) throw new Error(r.err.join('\n'));
  return JSON.parse(r.out[0]);
}

async function copyAndCheck(t: import('ava').ExecutionContext, from: string, to: string) {
  const { dir, ana } = await populated(from);
  const env = { TOKENBOARD_SERVER_DATA_DIR: dir, TOKENBOARD_DATABASE_URL: from };
  const copied = await cli(env, 'copy-db', to);
  t.is(copied.code, 0, copied.err.join('\n'));
  t.regex(copied.out[0], /^copied \d+ tables \(\d+ rows\); row counts and the totals of all 2 people match$/);
  t.true(copied.err.some((l) => /^copy-db: usage_events 5\/5$/.test(l)), 'a progress line per table');
  // The same answers from both, raw and reconciled, worked out by hand for ana:
  // raw input 600 + 500 + 7 + 1500 (the import) = 2607; reconciled: the import's 1500
  // replaces the logs' 600 on day 1 → 1500 + 500 + 7 = 2007.
  const there = { TOKENBOARD_SERVER_DATA_DIR: dir, TOKENBOARD_DATABASE_URL: to };
  for (const login of ['ana', 'ben']) {
    t.deepEqual(await stats(there, login), await stats(env, login), login);
    t.deepEqual(await stats(there, login, true), await stats(env, login, true), `${login} reconciled`);
  }
  t.is((await stats(there, 'ana')).input_tokens, 2607);
  t.is((await stats(there, 'ana', true)).input_tokens, 2007);
  // A server on the copy: the same agent token signs, new rows get new ids, the edited price holds.
  const app = await withApp({ 'database.url': to }, dir);
  t.teardown(() => app.stop());
  const more = await postIngest(app.url, ana, { events: [event({ ts: noon(4), provider: 'acme', model: 'acme-x', input_tokens: 1_000_000, output_tokens: 0 })] });
  t.is(more.status, 200, JSON.stringify(more.json));
  t.is((await app.stats('ana')).models.find((m) => m.model === 'acme-x')!.cost_usd, (7 * 2 + 3 * 4 + 1_000_000 * 2) / 1e6);
  t.is((await app.signIn('ben')).csrf.length > 0, true, 'people and sessions work on the copy');
  t.deepEqual((await listTeams(app.running.services.db)).map((x) => [x.slug, x.source, x.members]), [['core', 'local', ['ben']]], 'local teams come along');
  // The target is no longer empty: a second copy is refused and changes nothing.
  const again = await cli(env, 'copy-db', to);
  t.is(again.code, 1);
  t.regex(again.err[0], /the target database is not empty \(users has rows\)/);
}

test('copy-db into an empty database: same stats for everyone, tokens and prices carried over; a non-empty target is refused', async (t) => {
  t.timeout(120_000);
  if (ENGINE === 'postgres') {
    // The usual move, SQLite → PostgreSQL, then PostgreSQL → SQLite.
    const sqlite = `sqlite:${join(tempDir(), 'source.sqlite')}`;
    await copyAndCheck(t, sqlite, await freshPostgres({ empty: true }));
    await copyAndCheck(t, await freshPostgres({ empty: true }), `sqlite:${join(tempDir(), 'back.sqlite')}`);
  } else {
    await copyAndCheck(t, `sqlite:${join(tempDir(), 'source.sqlite')}`, `sqlite:${join(tempDir(), 'copy.sqlite')}`);
  }
});

test('copy-db: a target URL that is neither PostgreSQL nor SQLite is a usage error', async (t) => {
  const r = await cli({ TOKENBOARD_SERVER_DATA_DIR: tempDir() }, 'copy-db', 'mysql://x@y/z');
  t.is(r.code, 2);
  t.regex(r.err[0], /give the target as postgres:\/\/user:pass@host:5432\/db or sqlite:\/path/);
});
