// A person's vendor activity over a window (GitHub Copilot's daily records): what the
// vendor counted besides tokens, summed per vendor for the profile.
import type { Db } from '../db/connect.ts';
import { vendorActivityOf } from '../db/repos/imports.ts';
import type { Days } from '../db/repos/usage-read.ts';

export interface ActivitySummary {
  vendor: string;
  /** Days with a record (the vendor saw the person active, even with every count 0). */
  days: number;
  interactions: number;
  code_generations: number;
  code_acceptances: number;
  lines_added: number;
  lines_removed: number;
  cli_requests: number;
  cli_tokens: number;
  features: string[];
  ides: string[];
  models: string[];
}

export async function activitySummary(db: Db, userId: number, range: Days): Promise<ActivitySummary[]> {
  const out = new Map<string, ActivitySummary & { sets: [Set<string>, Set<string>, Set<string>] }>();
  for (const r of await vendorActivityOf(db.sql, userId, range.from, range.to)) {
    let a = out.get(r.vendor);
    if (!a) {
      out.set(r.vendor, (a = { vendor: r.vendor, days: 0, interactions: 0, code_generations: 0, code_acceptances: 0, lines_added: 0, lines_removed: 0,
        cli_requests: 0, cli_tokens: 0, features: [], ides: [], models: [], sets: [new Set(), new Set(), new Set()] }));
    }
    a.days++;
    a.interactions += r.interactions;
    a.code_generations += r.code_generations;
    a.code_acceptances += r.code_acceptances;
    a.lines_added += r.lines_added;
    a.lines_removed += r.lines_removed;
    a.cli_requests += r.cli_requests;
    a.cli_tokens += r.cli_prompt_tokens + r.cli_output_tokens;
    r.features.forEach((x) => a.sets[0].add(x));
    r.ides.forEach((x) => a.sets[1].add(x));
    r.models.forEach((x) => a.sets[2].add(x));
  }
  return [...out.values()].map(({ sets, ...a }) => ({ ...a, features: [...sets[0]].sort(), ides: [...sets[1]].sort(), models: [...sets[2]].sort() }));
}
