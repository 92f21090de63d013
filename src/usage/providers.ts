// The providers and tools seen in the usage, for the leaderboard's filters: read from the
// ledger's per-facet totals (a row per person and facet), so no cache is needed.
import type { Db } from '../db/connect.ts';
import { knownFacetValues } from '../ledger/read.ts';

export function knownProviders(db: Db): Promise<string[]> {
  return knownFacetValues(db, 'provider:');
}

export function knownTools(db: Db): Promise<string[]> {
  return knownFacetValues(db, 'tool:');
}
