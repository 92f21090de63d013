// Schema changes only through these migrations (umzug), run at start and by
// `tokenboard migrate`. The list is explicit so it works the same from src/ and dist/.
// They run under a database-wide lock: replicas (or a server and the CLI) starting
// together migrate once; the others wait for the lock, find nothing pending and go on.
import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface } from 'sequelize';
import type { Db } from './connect.ts';
import { withMigrationLock } from './lock.ts';
import * as m01 from './migrations/20261122-01-initial.ts';
import * as m02 from './migrations/20261122-02-seed-prices.ts';
import * as m04 from './migrations/20261123-01-user-days.ts';
import * as m05 from './migrations/20261123-02-token-lookup.ts';
import * as m06 from './migrations/20261123-03-imports.ts';
import * as m07 from './migrations/20261123-04-reconcile.ts';
import * as m08 from './migrations/20261123-05-claude-code-activity.ts';
import * as mAuth01 from './migrations/20261124-auth-01.ts';
import * as m09 from './migrations/20261203-01-bigint-ids.ts';
import * as m10 from './migrations/20261203-02-cache-write-1h.ts';
import * as m11 from './migrations/20261203-03-facets.ts';
import * as m12 from './migrations/20261203-04-scale-out.ts';
import * as m13 from './migrations/20261203-05-rate-limits.ts';
import * as m14 from './migrations/20261204-01-row-details-indexes.ts';
import * as mVendors10 from './migrations/20261204-10-vendor-usage.ts';
import * as mBudgets20 from './migrations/20261204-20-budgets-alerts.ts';
import * as mTeams30 from './migrations/20261204-30-local-teams.ts';
import * as mTotals40 from './migrations/20261204-40-rollup-totals.ts';
import * as mSettled from './migrations/20261205-01-settled-version.ts';
import * as mSettledChanges from './migrations/20261206-01-settled-changes.ts';

type Step = { up: (p: { context: QueryInterface }) => Promise<void>; down: (p: { context: QueryInterface }) => Promise<void> };

export const MIGRATIONS: [string, Step][] = [
  ['20261122-01-initial', m01],
  ['20261122-02-seed-prices', m02],
  ['20261123-01-user-days', m04],
  ['20261123-02-token-lookup', m05],
  ['20261123-03-imports', m06],
  ['20261123-04-reconcile', m07],
  ['20261123-05-claude-code-activity', m08],
  ['20261124-auth-01', mAuth01],
  ['20261203-01-bigint-ids', m09],
  ['20261203-02-cache-write-1h', m10],
  ['20261203-03-facets', m11],
  ['20261203-04-scale-out', m12],
  ['20261203-05-rate-limits', m13],
  ['20261204-01-row-details-indexes', m14],
  ['20261204-10-vendor-usage', mVendors10],
  ['20261204-20-budgets-alerts', mBudgets20],
  ['20261204-30-local-teams', mTeams30],
  ['20261204-40-rollup-totals', mTotals40],
  ['20261205-01-settled-version', mSettled],
  ['20261206-01-settled-changes', mSettledChanges],
];

export function migrator(db: Db) {
  return new Umzug({
    migrations: MIGRATIONS.map(([name, m]) => ({ name, up: m.up, down: m.down })),
    context: db.sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/** Applies pending migrations under the lock; returns the names applied. */
export async function migrate(db: Db): Promise<string[]> {
  return withMigrationLock(db, async () => (await migrator(db).up()).map((m) => m.name));
}

/** Migrations this build has that the database has not applied (for /readyz). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const rows = await db.sql.all<{ name: string }>('SELECT name FROM schema_migrations').catch(() => [] as { name: string }[]);
  const done = new Set(rows.map((r) => r.name));
  return MIGRATIONS.map(([name]) => name).filter((n) => !done.has(n));
}
