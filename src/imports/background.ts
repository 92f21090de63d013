// Import jobs started from the admin panel run in the background of this server process,
// never inside the request: the request creates (or picks up) the job row and returns at
// once; the page polls the row. The row is the only state that matters — a job left
// 'running' by a restart is resumed from its stored cursor by resumeImport.
import type { Services } from '../services.ts';
import { BadInput } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { loadAdminKey } from './keys.ts';
import { createJob, getJob, runJob, PROVIDERS, type Provider } from './run.ts';

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

/** True while this process is running the job (a 'running' row nobody runs was cut short). */
export function isRunningHere(s: Services, id: number): boolean {
  return jobsOf(s).has(id);
}

/** Resolves when this process's run of the job ends (at once if none); for tests and shutdown. */
export function settled(s: Services, id: number): Promise<void> {
  return jobsOf(s).get(id) ?? Promise.resolve();
}

function launch(s: Services, id: number, provider: Provider, key: string): void {
  const jobs = jobsOf(s);
  const run = runJob(s, id, { key, baseUrl: baseUrlOf(s, provider) })
    .then(() => undefined)
    // runJob has recorded the failure on the job row, where the page shows it; the key is never logged.
    .catch((err: unknown) => { s.log.warn('import job failed', { job: id, provider, error: String((err as Error)?.message ?? err).slice(0, 300) }); })
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

/** Picks up a job that failed or was cut short by a restart, from its stored cursor. */
export async function resumeImport(s: Services, id: number, actor: Actor): Promise<void> {
  const job = await getJob(s, id);
  if (!job) throw new BadInput(`job: no import job ${id}`);
  if (isRunningHere(s, id)) return;
  if (job.status === 'done') throw new BadInput(`job: import job ${id} is already done`);
  const key = await keyFor(s, job.provider);
  await audit(s.db, actor, 'import.resume', job.provider, { job: id });
  launch(s, id, job.provider, key);
}
