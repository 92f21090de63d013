// Everything the app and the CLI share, built once from the config: database (migrated),
// the secret key's sealer, metrics, the org calendar. Passed down, never global.
import type { Config } from './config.ts';
import { openDb, type Db } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { loadSecretKey, Sealer } from './secrets.ts';
import { DayCalendar } from './usage/days.ts';
import { loadSettings, type OrgSettings } from './admin/settings.ts';
import { backfillLookupHashes } from './users/tokens.ts';

export interface Services {
  cfg: Config;
  db: Db;
  sealer: Sealer;
  /** Seals provider Admin keys (a key of its own, derived from the same secret). */
  adminSealer: Sealer;
  log: Logger;
  metrics: Metrics;
  /** The calendar of the org's time zone. */
  calendar(): DayCalendar;
  /** Org settings (admin panel over config defaults), as last loaded. */
  settings(): OrgSettings;
  /** Re-reads the org settings (after a change here, or periodically for other processes). */
  refreshSettings(): Promise<OrgSettings>;
  close(): Promise<void>;
}

export interface ServiceOptions {
  log?: Logger;
  /** Run pending migrations (the server does; `tokenboard migrate` does it itself). */
  migrate?: boolean;
}

export async function createServices(cfg: Config, opts: ServiceOptions = {}): Promise<Services> {
  const log = opts.log ?? createLogger();
  const secretKey = loadSecretKey(cfg);
  const sealer = new Sealer(secretKey);
  const adminSealer = new Sealer(secretKey, 'admin-key');
  const db = await openDb(cfg);
  try {
    if (opts.migrate !== false) {
      const applied = await migrate(db);
      if (applied.length) log.info('database migrated', { applied: applied.join(',') });
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  await backfillLookupHashes(db, sealer);
  let settings = await loadSettings(db, cfg);
  let calendar = new DayCalendar(settings.timezone);
  return {
    cfg, db, sealer, adminSealer, log,
    metrics: createMetrics(),
    calendar: () => calendar,
    settings: () => settings,
    async refreshSettings() {
      settings = await loadSettings(db, cfg);
      if (settings.timezone !== calendar.timeZone) calendar = new DayCalendar(settings.timezone);
      return settings;
    },
    close: () => db.close(),
  };
}
