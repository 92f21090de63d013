// The price table as the ledger uses it: cached per process and keyed by the `prices` data
// version (so an edit on any replica, or by the CLI, is seen at the next read), and the
// one way to change it — in a transaction that takes the prices version first, changes the
// rows, then re-prices every derived number before it commits.
import type { Db } from '../db/connect.ts';
import type { Sql } from '../db/sql.ts';
import * as pricesRepo from '../db/repos/prices.ts';
import { bumpVersion, readVersions, sharePricesVersion } from '../db/repos/versions.ts';
import { PriceTable } from '../pricing/table.ts';
import { reprice } from './recompute.ts';

const cache = new WeakMap<Db, { version: number; table: PriceTable }>();

/** The table at `version` (read through `q` when this process has not cached it): for a transaction that already holds the version (see priceTableIn). */
export async function priceTableAt(db: Db, q: Sql, version: number): Promise<PriceTable> {
  const hit = cache.get(db);
  if (hit && hit.version === version) return hit.table;
  const table = new PriceTable(await pricesRepo.all(q));
  cache.set(db, { version, table });
  return table;
}

/** The current price table, for readers. */
export async function priceTable(db: Db): Promise<PriceTable> {
  return priceTableAt(db, db.sql, (await readVersions(db.sql)).prices);
}

/**
 * The price table inside a write transaction that stores usage: the prices version is
 * held for sharing until the transaction ends (see sharePricesVersion).
 */
export async function priceTableIn(db: Db, tx: Sql): Promise<PriceTable> {
  return priceTableAt(db, tx, await sharePricesVersion(tx));
}

/**
 * Runs a change of the price table: `fn` edits rows through the prices repository (and
 * may audit). Afterwards every user-day that used a model now priced differently is
 * re-priced, in the same transaction. Returns fn's result.
 */
export async function changePrices<T>(db: Db, fn: (tx: Sql) => Promise<T>): Promise<T> {
  // Through the writer: on SQLite a long re-pricing then queues with ingest instead of
  // holding the file's write lock against it.
  return db.writer.transaction(async (tx) => {
    // First: from here on, batches being stored wait for this change (see sharePricesVersion).
    await bumpVersion(tx, 'prices');
    const before = new PriceTable(await pricesRepo.all(tx));
    const out = await fn(tx);
    const after = new PriceTable(await pricesRepo.all(tx));
    await reprice(tx, before, after);
    return out;
  });
}
