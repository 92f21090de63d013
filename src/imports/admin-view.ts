// The admin's imports page in one call: stored keys (last 4 only), recent jobs (and who is
// running each), usage waiting for an owner, and the people to assign it to.
import type { Services } from '../services.ts';
import { listActive } from '../db/repos/users.ts';
import { adminKeyHints } from './keys.ts';
import { listJobs, getJob, type JobRow } from './run.ts';
import { unmappedUsage, type UnmappedGroup } from './mapping.ts';
import { isRunningHere } from './background.ts';

export interface JobView extends JobRow {
  /** This process is running it now. */
  running_here: boolean;
  /** Some process (this one or another replica) holds its lease now. */
  running_somewhere: boolean;
}

export interface ImportsAdminView {
  keys: { provider: string; last4: string; updated_at: Date }[];
  jobs: JobView[];
  unmapped: UnmappedGroup[];
  logins: string[];
}

function view(s: Services, j: JobRow, now = Date.now()): JobView {
  const here = isRunningHere(s, j.id);
  return { ...j, running_here: here, running_somewhere: here || (j.lease_until !== null && j.lease_until > now && j.status !== 'done') };
}

export async function importsAdminView(s: Services): Promise<ImportsAdminView> {
  const [keys, jobs, unmapped, people] = await Promise.all([adminKeyHints(s.db), listJobs(s, 20), unmappedUsage(s.db), listActive(s.db.sql)]);
  return { keys, jobs: jobs.map((j) => view(s, j)), unmapped, logins: people.map((u) => u.login) };
}

export async function jobView(s: Services, id: number): Promise<JobView | null> {
  const job = await getJob(s, id);
  return job ? view(s, job) : null;
}
