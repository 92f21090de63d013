// Readiness (GET /readyz): the database is reachable and holds every migration this build
// has. A replica started before its peers finished migrating says "not ready" until then.
import type { Db } from './db/connect.ts';
import { pendingMigrations } from './db/migrate.ts';

export type Readiness = { ready: true; database: Db['dialect'] } | { ready: false; reason: string };

export async function readiness(db: Db): Promise<Readiness> {
  try {
    await db.sql.all('SELECT 1 AS ok');
  } catch (err) {
    return { ready: false, reason: `database unreachable: ${String((err as Error).message ?? err).split('\n')[0].slice(0, 200)}` };
  }
  const pending = await pendingMigrations(db);
  if (pending.length) return { ready: false, reason: `migrations pending: ${pending.join(', ')}` };
  return { ready: true, database: db.dialect };
}
