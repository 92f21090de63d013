// Prometheus metrics, one registry per app instance (tests run several in one process).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  eventsAccepted: Counter<string>;
  eventsDuplicate: Counter<string>;
  batchesRejected: Counter<'reason'>;
  ingestSeconds: Histogram<'status'>;
  /** Requests per route whose input the schema took (the handler ran) or refused: a client sending bad input shows up here. */
  routeInput: Counter<'route' | 'outcome'>;
}

export function createMetrics(withDefaults = true): Metrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'tokenboard_' });
  return {
    registry,
    eventsAccepted: new Counter({ name: 'tokenboard_ingest_events_accepted_total', help: 'Usage events stored by POST /api/ingest', registers: [registry] }),
    eventsDuplicate: new Counter({ name: 'tokenboard_ingest_events_duplicate_total', help: 'Usage events whose id was already stored', registers: [registry] }),
    batchesRejected: new Counter({ name: 'tokenboard_ingest_batches_rejected_total', help: 'Ingest batches rejected, by reason', labelNames: ['reason'], registers: [registry] }),
    ingestSeconds: new Histogram({
      name: 'tokenboard_ingest_duration_seconds', help: 'Server time per ingest request', labelNames: ['status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
    // The route label is the declared path (`/otlp/:token/v1/logs`), never the request's.
    routeInput: new Counter({ name: 'tokenboard_route_input_total', help: 'Requests past access and CSRF, by route and whether the input schema took them (valid) or refused them', labelNames: ['route', 'outcome'], registers: [registry] }),
  };
}
