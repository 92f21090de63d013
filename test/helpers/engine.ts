// Which database engine the suite runs on. `npm test` runs it on SQLite, then again on a
// throwaway PostgreSQL server (scripts/run-tests.ts sets TOKENBOARD_TEST_ENGINE=postgres
// and where the server is). On PostgreSQL every app gets a database of its own, copied
// from a migrated template, so tests stay as independent as with their own SQLite files.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ENGINE: 'sqlite' | 'postgres' = process.env.TOKENBOARD_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

function server(): { admin: string; template: string } {
  const admin = process.env.TOKENBOARD_TEST_PG_URL;
  const template = process.env.TOKENBOARD_TEST_PG_TEMPLATE;
  if (!admin || !template) throw new Error('TOKENBOARD_TEST_ENGINE=postgres needs TOKENBOARD_TEST_PG_URL and TOKENBOARD_TEST_PG_TEMPLATE (npm test sets them)');
  return { admin, template };
}

/** A new database on the test server, as a database.url: migrated, or with `empty` not even that. */
export async function freshPostgres(o: { empty?: boolean } = {}): Promise<string> {
  const { admin, template } = server();
  const name = `tb_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${o.empty ? 'template0' : template}`);
        break;
      } catch (err) {
        // Two copies of the template at the same moment: PostgreSQL makes one wait its turn.
        if (attempt > 20 || !/being accessed by other users/.test(String((err as Error).message))) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  } finally {
    await client.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

// One database per data dir, as on SQLite (where the file lives in the data dir): the CLI
// and a server given the same data dir share it.
const byDir = new Map<string, Promise<string>>();

function databaseFor(dataDir: string, empty = false): Promise<string> {
  let url = byDir.get(dataDir);
  if (!url) byDir.set(dataDir, (url = freshPostgres({ empty })));
  return url;
}

/** A data dir whose database (on PostgreSQL) has not been migrated yet, as SQLite's new file is not. */
export async function emptyDatabaseFor(dataDir: string): Promise<void> {
  if (ENGINE === 'postgres') await databaseFor(dataDir, true);
}

/** Config overrides that put an app on this run's engine (nothing for SQLite: the data dir's file). */
export async function engineOverrides(dataDir: string): Promise<Record<string, string>> {
  return ENGINE === 'postgres' ? { 'database.url': await databaseFor(dataDir) } : {};
}

/** The environment for a `tokenboard` command (or child process) on a data dir, on this run's engine. */
export async function cliEnv(dataDir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { TOKENBOARD_SERVER_DATA_DIR: dataDir, ...(ENGINE === 'postgres' ? { TOKENBOARD_DATABASE_URL: await databaseFor(dataDir) } : {}), ...extra };
}
