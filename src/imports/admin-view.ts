// The admin's imports page in one call: stored keys (last 4 only), recent jobs (and whether
// this process is running each), usage waiting for an owner, and the people to assign it to.
import { QueryTypes } from 'sequelize';
import type { Services } from '../services.ts';
import { adminKeyHints } from './keys.ts';
import { listJobs, getJob, type JobRow } from './run.ts';
import { unmappedUsage, type UnmappedGroup } from './mapping.ts';
import { isRunningHere } from './background.ts';

export interface JobView extends JobRow {
  created_by: string;
  created_at: string;
  updated_at: string;
  /** This process is running it now (a 'running' row nobody runs was cut short by a restart). */
  running_here: boolean;
}

export interface ImportsAdminView {
  keys: { provider: string; last4: string; updated_at: string }[];
  jobs: JobView[];
  unmapped: UnmappedGroup[];
  logins: string[];
}

export async function importsAdminView(s: Services): Promise<ImportsAdminView> {
  const [keys, jobs, unmapped, users] = await Promise.all([
    adminKeyHints(s.db), listJobs(s, 20), unmappedUsage(s.db),
    s.db.sequelize.query<{ login: string }>('SELECT login FROM users WHERE active = ? ORDER BY login_key', { replacements: [true], type: QueryTypes.SELECT }),
  ]);
  return { keys, jobs: jobs.map((j) => ({ ...j, running_here: isRunningHere(s, Number(j.id)) })), unmapped, logins: users.map((u) => u.login) };
}

export async function jobView(s: Services, id: number): Promise<JobView | null> {
  const job = await getJob(s, id) as (JobRow & { created_by: string; created_at: string; updated_at: string }) | null;
  return job ? { ...job, running_here: isRunningHere(s, id) } : null;
}
