// Data versions: one row per kind of data, bumped in the same transaction as every change
// to it. A cache (on any replica) keeps what it computed together with the version it
// read, and recomputes once the version moved: no replica shows numbers older than its
// own next request.
import { num, type Statement } from '../dialect.ts';
import type { Dialect, Sql } from '../sql.ts';

/**
 * usage: events and everything derived from them; settled: the part of usage on days before
 * yesterday (bumped with usage, see bumpVersion, except by ingest of today and yesterday:
 * ledger/settled.ts); prices; people (users, teams); settings; budgets.
 */
export type VersionName = 'usage' | 'settled' | 'prices' | 'people' | 'settings' | 'budgets';
export const VERSION_NAMES: readonly VersionName[] = ['usage', 'settled', 'prices', 'people', 'settings', 'budgets'];

export type Versions = Record<VersionName, number>;

/**
 * Bumps a version. Call it last in a transaction: on PostgreSQL the row stays locked until
 * COMMIT, so concurrent writers queue only for their commit, never for their work.
 * A usage change may touch settled days, so `usage` bumps `settled` too, always after
 * `usage`: every writer takes the two rows in that order, so two of them never wait for
 * each other on PostgreSQL. (Ingest of today's and yesterday's usage only bumps `usage`,
 * through bumpWrite, and `settled` by itself when a batch brought older days.)
 */
export async function bumpVersion(q: Sql, name: VersionName): Promise<void> {
  const w = bumpWrite(name);
  await q.run(w.text, w.params);
  if (name === 'usage') {
    const s = bumpWrite('settled');
    await q.run(s.text, s.params);
  }
}

/** One version's bump as a statement, to run together with others (see `together` in dialect.ts). */
export function bumpWrite(name: VersionName): Statement {
  return { text: 'UPDATE data_versions SET version = version + 1 WHERE name = ?', params: [name] };
}

export async function readVersions(q: Sql): Promise<Versions> {
  const out = { usage: 0, settled: 0, prices: 0, people: 0, settings: 0, budgets: 0 } as Versions;
  for (const r of await q.all<{ name: VersionName; version: number }>('SELECT name, version FROM data_versions')) out[r.name] = num(r.version);
  return out;
}

/**
 * The prices version, locked for sharing (PostgreSQL): a batch being stored holds it while
 * it prices its events, and a price change (which takes the row for update first) waits
 * for those batches and makes later ones wait for it. So no batch is ever priced by a
 * table that a concurrent re-pricing did not see.
 */
export async function sharePricesVersion(q: Sql): Promise<number> {
  const s = sharePricesRead(q.dialect);
  return num((await q.all<{ version: number }>(s.text, s.params))[0]?.version);
}

/** sharePricesVersion as a statement (one row, `version`), to run after others in one round trip. */
export function sharePricesRead(d: Dialect): Statement {
  return { text: `SELECT version FROM data_versions WHERE name = 'prices'${d === 'postgres' ? ' FOR SHARE' : ''}`, params: [] };
}
