// Import jobs started from the admin panel run in the background of a server process,
// never inside the request: the request creates (or picks up) the job row and returns at
// once; the page polls the row. The row is the only state that matters: a job whose
// process died (its lease ran out) is resumed from its stored cursor by whichever
// replica's housekeeping finds it first (resumeOrphans).
import type { Services } from '../services.ts';
import { BadInput } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { orphanedJobs } from '../db/repos/imports.ts';
import { loadAdminKey } from './keys.ts';
import { createJob, getJob, LeaseLost, runJob, PROVIDERS, type Provider } from './run.ts';

const inFlight = new WeakMap<Services, Map<number, Promise<void>>>();

function jobsOf(s: Services): Map<number, Promise<void>> {
  let m = inFlight.get(s);
  if (!m) inFlight.set(s, (m = new Map()));
  return m;
}

export function baseUrlOf(s: Services, provider: Provider): string {
  return provider === 'anthropic' ? s.cfg.providers.anthropic_api_url : s.cfg.providers.openai_api_url;
}

async function keyFor(s: Services, provider: Provider): Promise<string> {
  const key = await loadAdminKey(s.db, s.adminSealer, provider);
  if (!key) throw new BadInput(`key: store ${provider === 'anthropic' ? 'an Anthropic' : 'an OpenAI'} Admin key first`);
  return key;
}

/** True while this process is running the job. */
export function isRunningHere(s: Services, id: number): boolean {
  return jobsOf(s).has(id);
}

/** Resolves when this process's run of the job ends (at once if none); for tests and shutdown. */
export function settled(s: Services, id: number): Promise<void> {
  return jobsOf(s).get(id) ?? Promise.resolve();
}

/** Resolves when every job this process runs has ended. */
export async function allSettled(s: Services): Promise<void> {
  await Promise.allSettled([...jobsOf(s).values()]);
}

function launch(s: Services, id: number, provider: Provider, key: string): void {
  const jobs = jobsOf(s);
  if (jobs.has(id)) return;
  const run = runJob(s, id, { key, baseUrl: baseUrlOf(s, provider) })
    .then(() => undefined)
    .catch((err: unknown) => {
      // Another replica runs it: nothing failed.
      if (err instanceof LeaseLost) return;
      // runJob has recorded the failure on the job row, where the page shows it; the key is never logged.
      s.log.warn('import job failed', { job: id, provider, error: String((err as Error)?.message ?? err).slice(0, 300) });
    })
    .finally(() => { jobs.delete(id); });
  jobs.set(id, run);
}

/** Creates a job for the range and starts it in the background; returns its id. */
export async function startImport(s: Services, provider: string, from: string, to: string, actor: Actor): Promise<number> {
  if (!(PROVIDERS as readonly string[]).includes(provider)) throw new BadInput(`provider: anthropic or openai, not "${provider}"`);
  const p = provider as Provider;
  const key = await keyFor(s, p);
  const id = await createJob(s, p, from, to, actor);
  launch(s, id, p, key);
  return id;
}

/** Picks up a job that failed or was cut short, from its stored cursor. */
export async function resumeImport(s: Services, id: number, actor: Actor): Promise<void> {
  const job = await getJob(s, id);
  if (!job) throw new BadInput(`job: no import job ${id}`);
  if (isRunningHere(s, id)) return;
  if (job.status === 'done') throw new BadInput(`job: import job ${id} is already done`);
  if (job.lease_until !== null && job.lease_until > Date.now()) throw new BadInput(`job: import job ${id} is running on another server process`);
  const key = await keyFor(s, job.provider as Provider);
  await audit(s.db.sql, actor, 'import.resume', job.provider, { job: id });
  launch(s, id, job.provider as Provider, key);
}

/**
 * Housekeeping: jobs left queued or running whose lease has run out (the process running
 * them died) are resumed here. The lease decides who runs one if two replicas try at once.
 */
export async function resumeOrphans(s: Services, now = Date.now()): Promise<number> {
  let started = 0;
  for (const job of await orphanedJobs(s.db.sql, now)) {
    if (isRunningHere(s, job.id)) continue;
    const key = await loadAdminKey(s.db, s.adminSealer, job.provider as Provider);
    if (!key) continue;
    s.log.info('resuming an import job whose process stopped', { job: job.id, provider: job.provider });
    launch(s, job.id, job.provider as Provider, key);
    started++;
  }
  return started;
}
