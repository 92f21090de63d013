// `npm test`: the whole suite on SQLite, then every server test (test/) again on a real
// PostgreSQL server this script starts for the run (scripts/pg-cluster.ts) and removes
// afterwards. Without PostgreSQL installed the second run is skipped with a notice, except
// in CI (CI=true), where it must run. Arguments go to ava (e.g. one test file).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pgBinDir, startCluster } from './pg-cluster.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { tempDir } from '../test/helpers/app.ts';

const ROOT = join(import.meta.dirname, '..');
const AVA = join(ROOT, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
const args = process.argv.slice(2);

function ava(files: string[], env: Record<string, string> = {}): number {
  const r = spawnSync(process.execPath, [AVA, ...files], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

const sqlite = ava(args);

// The server tests: every test file under test/ (or those of the arguments).
const serverFiles = args.length ? args.filter((a) => a.startsWith('test/') || a.startsWith('./test/')) : ['test/**/*.test.ts'];
let postgres = 0;
if (serverFiles.length === 0) {
  // Only agent tests were asked for.
} else if (!pgBinDir()) {
  if (process.env.CI === 'true') {
    console.error('PostgreSQL is not installed: CI must run the suite on PostgreSQL too (apt-get install -y postgresql).');
    postgres = 1;
  } else {
    console.log('\nPostgreSQL not found (no /usr/lib/postgresql/*/bin/pg_ctl): the PostgreSQL run is skipped here. `apt-get install -y postgresql` to run it; CI always does.');
  }
} else {
  console.log('\n== the same server tests on PostgreSQL');
  const cluster = await startCluster();
  try {
    // A migrated template: every app in the tests copies it (test/helpers/engine.ts).
    cluster.psql('CREATE DATABASE tb_template');
    const dataDir = tempDir('tb-template-');
    const db = await openDb(loadConfig({ env: {}, overrides: { 'server.data_dir': dataDir, 'database.url': cluster.url('tb_template') } }));
    await migrate(db);
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
    postgres = ava(serverFiles, {
      TOKENBOARD_TEST_ENGINE: 'postgres', TOKENBOARD_TEST_PG_URL: cluster.url('postgres'), TOKENBOARD_TEST_PG_TEMPLATE: 'tb_template',
    });
  } finally {
    cluster.stop();
  }
}
process.exitCode = sqlite || postgres;
