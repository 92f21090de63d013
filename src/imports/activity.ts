// A person's vendor activity over a window (GitHub Copilot's daily records): what the
// vendor counted besides tokens, summed per vendor for the profile.
import type { Db } from '../db/connect.ts';
import { vendorActivityOf } from '../db/repos/imports.ts';
import type { Days } from '../db/repos/usage-read.ts';
import { ACTIVITY_COUNTS, type ActivityCounts } from './sources.ts';

export interface ActivitySummary extends ActivityCounts {
  vendor: string;
  /** Days with a record (the vendor saw the person active, even with every count 0). */
  days: number;
  features: string[];
  ides: string[];
  models: string[];
}

export async function activitySummary(db: Db, userId: number, range: Days): Promise<ActivitySummary[]> {
  const out = new Map<string, { sum: ActivitySummary; names: [Set<string>, Set<string>, Set<string>] }>();
  for (const r of await vendorActivityOf(db.sql, userId, range.from, range.to)) {
    let a = out.get(r.vendor);
    if (!a) {
      const zero = Object.fromEntries(ACTIVITY_COUNTS.map((k) => [k, 0])) as ActivityCounts;
      out.set(r.vendor, (a = { sum: { ...zero, vendor: r.vendor, days: 0, features: [], ides: [], models: [] }, names: [new Set(), new Set(), new Set()] }));
    }
    a.sum.days++;
    for (const k of ACTIVITY_COUNTS) a.sum[k] += r[k];
    [r.features, r.ides, r.models].forEach((list, i) => list.forEach((x) => a.names[i].add(x)));
  }
  return [...out.values()].map(({ sum, names: [f, i, m] }) => ({ ...sum, features: [...f].sort(), ides: [...i].sort(), models: [...m].sort() }));
}
