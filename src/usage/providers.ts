// The providers seen in the rollups, for the leaderboard's provider filter. DISTINCT over
// every rollup row is a full scan (millions of rows in a big org), so the list is kept per
// database for a few minutes and refreshed in the background: pages never wait for it
// except the very first time.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';

const TTL_MS = 5 * 60_000;
const cache = new WeakMap<Db, { at: number; list: string[]; refreshing: Promise<string[]> | null }>();

async function load(db: Db): Promise<string[]> {
  const rows = await db.sequelize.query<{ provider: string }>('SELECT DISTINCT provider FROM daily_rollups', { type: QueryTypes.SELECT });
  return rows.map((r) => r.provider).sort();
}

export async function knownProviders(db: Db, now = Date.now()): Promise<string[]> {
  const hit = cache.get(db);
  if (!hit) {
    const entry = { at: now, list: [] as string[], refreshing: load(db) as Promise<string[]> | null };
    cache.set(db, entry);
    try {
      entry.list = await entry.refreshing!;
    } finally {
      entry.refreshing = null;
    }
    return entry.list;
  }
  if (hit.refreshing) return hit.list.length ? hit.list : hit.refreshing;
  if (now - hit.at > TTL_MS) {
    hit.at = now;
    hit.refreshing = load(db);
    hit.refreshing.then((list) => { hit.list = list; }, () => { /* keep the old list; retried after the TTL */ })
      .finally(() => { hit.refreshing = null; });
  }
  return hit.list;
}
