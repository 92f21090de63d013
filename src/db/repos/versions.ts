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

// ---- settled changes (migration 20261206-01): who a move of `settled` was about

export interface SettledChange { version: number; user_id: number; first_day: string; last_day: string }

/**
 * Moves `settled` for a change of one person's settled days (first..last) and records it,
 * so that readers re-read only that person (ledger/read.ts). The UPDATE takes the version
 * row first, as bumpVersion does: the versions are handed out one at a time.
 */
export async function bumpSettledFor(q: Sql, userId: number, firstDay: string, lastDay: string): Promise<void> {
  const [row] = await q.all<{ version: number }>("UPDATE data_versions SET version = version + 1 WHERE name = 'settled' RETURNING version", []);
  await q.run('INSERT INTO settled_changes (version, user_id, first_day, last_day) VALUES (?, ?, ?, ?)', [num(row.version), userId, firstDay, lastDay]);
}

/** The recorded changes of the versions after `after` up to `upTo` (a version moved without one has no row). */
export async function settledChanges(q: Sql, after: number, upTo: number): Promise<SettledChange[]> {
  return (await q.all<Record<string, unknown>>('SELECT version, user_id, first_day, last_day FROM settled_changes WHERE version > ? AND version <= ?', [after, upTo]))
    .map((r) => ({ version: num(r.version), user_id: num(r.user_id), first_day: String(r.first_day), last_day: String(r.last_day) }));
}

/** Readers look back at most this many versions (ledger/read.ts): older rows are deleted. */
export const SETTLED_CHANGES_KEPT = 1000;

export async function pruneSettledChanges(q: Sql): Promise<number> {
  return q.run("DELETE FROM settled_changes WHERE version <= (SELECT version FROM data_versions WHERE name = 'settled') - ?", [SETTLED_CHANGES_KEPT]);
}
