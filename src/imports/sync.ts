// The daily sync: once a day, for every provider with a stored Admin key, import the last
// `imports.sync_days` whole days. Event ids make the overlap with earlier imports free. One
// replica runs a day's sync (jobs/leased.ts); a job it started and could not finish is
// resumed by housekeeping like any other (background.ts).
import type { Services } from '../services.ts';
import { CLI_ACTOR } from '../admin/audit.ts';
import { addDays } from '../usage/days.ts';
import { oncePerPeriod } from '../jobs/leased.ts';
import { loadAdminKey } from './keys.ts';
import { createJob, runJob, PROVIDERS } from './run.ts';
import { baseUrlOf } from './background.ts';

export const SYNC_JOB = 'imports.daily-sync';

export async function syncRecent(s: Services, now = Date.now()): Promise<{ provider: string; events: number; error?: string }[]> {
  const days = s.cfg.imports.sync_days;
  if (days === 0) return [];
  const today = new Date(now).toISOString().slice(0, 10);
  const out: { provider: string; events: number; error?: string }[] = [];
  await oncePerPeriod(s.db, SYNC_JOB, today, { owner: s.instance, leaseMs: s.leaseMs }, async () => {
    for (const provider of PROVIDERS) {
      const key = await loadAdminKey(s.db, s.adminSealer, provider);
      if (!key) continue;
      try {
        const job = await createJob(s, provider, addDays(today, -days), addDays(today, -1), { ...CLI_ACTOR, login: 'daily-sync' });
        const r = await runJob(s, job, { key, baseUrl: baseUrlOf(s, provider) });
        out.push({ provider, events: r.events });
      } catch (err) {
        out.push({ provider, events: 0, error: (err as Error).message });
      }
    }
  });
  return out;
}
