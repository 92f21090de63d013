// Everything the app and the CLI share, built once from the config: database (migrated),
// the secret key's sealer, metrics, the org calendar. Passed down, never global.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from './config.ts';
import { openDb, type Db } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import * as settingsRepo from './db/repos/settings.ts';
import { readVersions } from './db/repos/versions.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { loadSecretKey, Sealer } from './secrets.ts';
import { DayCalendar } from './usage/days.ts';
import { loadSettings, type OrgSettings } from './admin/settings.ts';
import { backfillLookupHashes } from './users/tokens.ts';
import { rebuildIfAsked } from './ledger/recompute.ts';
import { priceTable } from './ledger/prices.ts';

export interface Services {
  cfg: Config;
  db: Db;
  sealer: Sealer;
  /** Seals provider Admin keys (a key of its own, derived from the same secret). */
  adminSealer: Sealer;
  log: Logger;
  metrics: Metrics;
  /** This process, as the owner of job leases (host, pid and a random part). */
  instance: string;
  /** How long a job lease lasts without renewal (jobs.lease_seconds). */
  leaseMs: number;
  /** The calendar of the org's time zone. */
  calendar(): DayCalendar;
  /** Org settings (admin panel over config defaults), as last loaded. */
  settings(): OrgSettings;
  /** Re-reads the org settings when they changed (here, in the CLI or on another replica). */
  refreshSettings(): Promise<OrgSettings>;
  close(): Promise<void>;
}

export interface ServiceOptions {
  log?: Logger;
  /** Run pending migrations (the server does; `tokenboard migrate` does it itself). */
  migrate?: boolean;
}

const KEY_CHECK = 'server.secret_key_check';

/**
 * Every process sharing a database must hold the same secret key, or tokens sealed by one
 * could not be read by another (and sessions signed by one would be refused by the next).
 * The first start stores a keyed check value; a process with another key stops at once.
 */
async function checkSecretKey(db: Db, sealer: Sealer): Promise<void> {
  const mine = sealer.lookupHash('tokenboard secret key check');
  const stored = await settingsRepo.get(db.sql, KEY_CHECK);
  if (stored === null) {
    await settingsRepo.putIfAbsent(db.sql, KEY_CHECK, JSON.stringify(mine));
    const again = await settingsRepo.get(db.sql, KEY_CHECK);
    if (again !== null && JSON.parse(again) !== mine) throw keyMismatch();
    return;
  }
  if (JSON.parse(stored) !== mine) throw keyMismatch();
}

function keyMismatch(): Error {
  return new Error('server.secret_key: this process has a different secret key than the one the database was set up with; '
    + 'give every replica the same server.secret_key (or restore <data_dir>/secret_key from the first server), or agent tokens cannot be read');
}

export async function createServices(cfg: Config, opts: ServiceOptions = {}): Promise<Services> {
  const log = opts.log ?? createLogger();
  const secretKey = loadSecretKey(cfg);
  const sealer = new Sealer(secretKey);
  const adminSealer = new Sealer(secretKey, 'admin-key');
  const db = await openDb(cfg);
  let settings: OrgSettings;
  let calendar: DayCalendar;
  let settingsVersion = -1;
  try {
    if (opts.migrate !== false) {
      const applied = await migrate(db);
      if (applied.length) log.info('database migrated', { applied: applied.join(',') });
    }
    await checkSecretKey(db, sealer);
    await backfillLookupHashes(db, sealer);
    settingsVersion = (await readVersions(db.sql)).settings;
    settings = await loadSettings(db, cfg);
    calendar = new DayCalendar(settings.timezone);
    const rebuilt = await rebuildIfAsked(db, calendar, () => priceTable(db), (done, of) => log.info('filling the filtered-views read model', { done, of }));
    if (rebuilt) log.info('filtered-views read model filled', { people: rebuilt });
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    cfg, db, sealer, adminSealer, log,
    metrics: createMetrics(),
    instance: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    leaseMs: cfg.jobs.lease_seconds * 1000,
    calendar: () => calendar,
    settings: () => settings,
    async refreshSettings() {
      const v = (await readVersions(db.sql)).settings;
      if (v === settingsVersion) return settings;
      settingsVersion = v;
      settings = await loadSettings(db, cfg);
      if (settings.timezone !== calendar.timeZone) calendar = new DayCalendar(settings.timezone);
      return settings;
    },
    close: () => db.close(),
  };
}
