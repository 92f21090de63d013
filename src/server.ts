// config → services (db, migrations) → app → listen; a clean stop on SIGTERM: stop
// accepting, let in-flight requests (and their batches) finish, then close the database.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { createApp } from './app.ts';
import { createServices, type Services } from './services.ts';
import type { Logger } from './log.ts';
import { cleanReplayRecords, pruneRawEvents } from './ingest/ingest.ts';
import { syncRecent } from './imports/sync.ts';
import { allSettled, resumeOrphans } from './imports/background.ts';
import { firstStartAdmin } from './auth/first-start.ts';
import { pruneLoginLinks } from './auth/login-links.ts';
import { pruneSessions } from './auth/session-store.ts';
import { prune as pruneLeases } from './db/repos/leases.ts';
import { pruneSettledChanges } from './db/repos/versions.ts';
import { startAlerts, type AlertsLoop } from './alerts/loop.ts';

export interface Running {
  services: Services;
  server: Server;
  /** Budget checks, the weekly digest and alert deliveries (src/alerts/loop.ts). */
  alerts: AlertsLoop;
  port: number;
  url: string;
  stop(): Promise<void>;
}

const HOUSEKEEPING_MS = 60_000;
/** Finished job periods are kept this long (who ran the daily sync when). */
const LEASE_HISTORY_MS = 30 * 86_400_000;

export interface StartOptions {
  log?: Logger;
  /** Local mode's first start makes an `admin` account and prints a sign-in link (default on; tests turn it off). */
  firstStartAdmin?: boolean;
}

export async function startServer(cfg: Config, opts: StartOptions = {}): Promise<Running> {
  const services = await createServices(cfg, { log: opts.log });
  const app = createApp(services);
  let closing = false;
  const handle = app.callback();
  const server = createServer((req, res) => {
    // While shutting down, tell keep-alive clients to go away after this answer.
    if (closing) res.setHeader('Connection', 'close');
    return handle(req, res);
  });
  // Agents keep connections alive between flushes; don't let an idle socket hold shutdown.
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.server.port, cfg.server.host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const host = cfg.server.host === '0.0.0.0' || cfg.server.host === '::' ? 'localhost' : cfg.server.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (opts.firstStartAdmin !== false) {
    try {
      const link = await firstStartAdmin(services, url);
      // The one place a sign-in link is printed by the server: its operator needs it to get in.
      if (link) services.log.info('first start in local mode: sign in as admin with this one-time link (valid 15 minutes, works once)', { link: link.url });
    } catch (err) {
      // Without its admin the start failed: stop listening, or `serve` would report the
      // failure and keep answering without ever logging "listening" or handling SIGTERM.
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await services.close();
      throw err;
    }
  }

  let syncing: Promise<void> | null = null;
  const housekeep = async () => {
    await cleanReplayRecords(services.db);
    await pruneSettledChanges(services.db.sql);
    await pruneLoginLinks(services.db);
    await pruneSessions(services.db);
    await services.limits.prune();
    await pruneLeases(services.db.sql, Date.now() - LEASE_HISTORY_MS);
    // Jobs whose process died (on this host or another replica) go on here.
    await resumeOrphans(services);
    const settings = await services.refreshSettings();
    const pruned = await pruneRawEvents(services.db, settings.retention_days);
    if (pruned) services.log.info('raw events past retention deleted', { count: pruned, retention_days: settings.retention_days });
    // Imports run in the background: a slow provider must not hold up housekeeping.
    if (!syncing) {
      syncing = syncRecent(services).then((results) => {
        for (const r of results) {
          if (r.error) services.log.warn('daily import failed', { provider: r.provider, error: r.error });
          else services.log.info('daily import done', { provider: r.provider, events: r.events });
        }
      }).catch((err) => services.log.warn('daily import failed', { error: String(err) })).finally(() => { syncing = null; });
    }
  };
  // A lease that ran out should be taken over within about one lease period.
  const housekeeping = setInterval(() => {
    housekeep().catch((err) => services.log.warn('housekeeping failed', { error: String(err) }));
  }, Math.min(HOUSEKEEPING_MS, services.leaseMs));
  housekeeping.unref();
  // A failed first round (the database busy with a herd of agents resending after a
  // restart, say) is retried by the interval like any other: the server is up regardless.
  await housekeep().catch((err) => services.log.warn('housekeeping failed', { error: String(err) }));
  const alerts = startAlerts(services);

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(housekeeping);
      await alerts.stop();
      // A running import stops at its next page boundary at worst; its job row keeps the cursor.
      await Promise.race([Promise.all([syncing, allSettled(services)]), new Promise((r) => setTimeout(r, 5_000).unref())]);
      closing = true;
      await new Promise<void>((resolve) => {
        // Sockets that finish their request after this become idle: keep closing those.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        // A client holding a socket open must not stall shutdown forever.
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        server.close(() => { clearInterval(sweep); clearTimeout(force); resolve(); });
        server.closeIdleConnections();
      });
      await services.close();
    })();
    return stopping;
  };
  return { services, server, alerts, port, url, stop };
}
