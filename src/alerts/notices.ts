// Admin alerts from elsewhere in the product: a model without a price seen for the first
// time (the ledger calls this inside the transaction that stores the events), and an
// import job that failed.
import type { Sql } from '../db/sql.ts';
import type { Services } from '../services.ts';
import { enqueue } from './events.ts';
import { pageUrl } from './payload.ts';

/**
 * Models of a batch being stored that have no price. The first batch ever to bring one
 * decides its `model.unknown` event (the key is the model id); every later batch's insert
 * does nothing. Runs in the storing transaction, so a batch that rolls back alerts nobody.
 */
export async function unpricedModelsStored(tx: Sql, models: readonly { provider: string; model: string }[], now: number): Promise<void> {
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.model)) continue;
    seen.add(m.model);
    await enqueue(tx, { type: 'model.unknown', dedup_key: `model:${m.model}`, kind: 'unknown-model', fields: { model: { provider: m.provider, model: m.model } } }, now);
  }
}

/** An import job failed (its row already says why); one alert per failure. */
export async function importFailed(s: Services, job: { id: number; provider: string; error: string }, now = Date.now()): Promise<void> {
  await s.db.transaction((tx) => enqueue(tx, {
    type: 'import.failed', dedup_key: `import:${job.id}:${now}`, kind: 'import-failed',
    fields: { import: { job: job.id, provider: job.provider, error: job.error }, url: pageUrl({ orgName: s.settings().name, baseUrl: s.cfg.server.base_url }, '/admin/imports') },
  }, now));
}
