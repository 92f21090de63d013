// The daily sync: once a day, for every provider with a stored Admin key, import the last
// `imports.sync_days` whole days. Event ids make the overlap with earlier imports free.
import type { Services } from '../services.ts';
import { CLI_ACTOR } from '../admin/audit.ts';
import { addDays } from '../usage/days.ts';
import { loadAdminKey } from './keys.ts';
import { createJob, runJob, PROVIDERS } from './run.ts';

const LAST_SYNC = 'imports.last_sync';

export async function syncRecent(s: Services, now = Date.now()): Promise<{ provider: string; events: number; error?: string }[]> {
  const days = s.cfg.imports.sync_days;
  if (days === 0) return [];
  const today = new Date(now).toISOString().slice(0, 10);
  const last = await s.db.models.Setting.findByPk(LAST_SYNC);
  if (last && JSON.parse(last.value) === today) return [];
  await s.db.models.Setting.upsert({ key: LAST_SYNC, value: JSON.stringify(today) });
  const out: { provider: string; events: number; error?: string }[] = [];
  for (const provider of PROVIDERS) {
    const key = await loadAdminKey(s.db, s.adminSealer, provider);
    if (!key) continue;
    try {
      const job = await createJob(s, provider, addDays(today, -days), addDays(today, -1), { ...CLI_ACTOR, login: 'daily-sync' });
      const r = await runJob(s, job, { key, baseUrl: provider === 'anthropic' ? s.cfg.providers.anthropic_api_url : s.cfg.providers.openai_api_url });
      out.push({ provider, events: r.events });
    } catch (err) {
      out.push({ provider, events: 0, error: (err as Error).message });
    }
  }
  return out;
}
