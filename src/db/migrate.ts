// Schema changes only through these migrations (umzug), run at start and by
// `tokenboard migrate`. The list is explicit so it works the same from src/ and dist/.
import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface } from 'sequelize';
import type { Db } from './connect.ts';
import * as m01 from './migrations/20261122-01-initial.ts';
import * as m02 from './migrations/20261122-02-seed-prices.ts';
import * as m04 from './migrations/20261123-01-user-days.ts';
import * as m05 from './migrations/20261123-02-token-lookup.ts';
import * as m06 from './migrations/20261123-03-imports.ts';
import * as m07 from './migrations/20261123-04-reconcile.ts';
import * as m08 from './migrations/20261123-05-claude-code-activity.ts';
import * as mAuth01 from './migrations/20261124-auth-01.ts';

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
];

export function migrator(db: Db) {
  return new Umzug({
    migrations: MIGRATIONS.map(([name, m]) => ({ name, up: m.up, down: m.down })),
    context: db.sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(db: Db): Promise<string[]> {
  const done = await migrator(db).up();
  return done.map((m) => m.name);
}
