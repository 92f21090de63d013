// Import jobs: a date range from one vendor, fetched page by page. After every page the
// job row records the next cursor and the counts, so a job cut short (restart, crash)
// resumes where it stopped; event ids come from the vendors' own keys, so fetching a page
// twice changes nothing. A job runs in one process at a time: that process holds the
// job's lease (renewed while it works); when the process dies, the lease runs out and any
// replica's housekeeping picks the job up again (background.ts). What differs between
// vendors (endpoints, auth, paging) is described once per vendor in vendors.ts.
import type { Services } from '../services.ts';
import * as imports from '../db/repos/imports.ts';
import type { JobRow } from '../db/repos/imports.ts';
import { BadInput } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { createClient, downloadClient, explain, ImportError } from './client.ts';
import type { Page } from './sources.ts';
import { storeImported } from './mapping.ts';
import { saveSeats } from './seats.ts';
import { finished, isProvider, VENDORS, vendorOf, type Provider } from './vendors.ts';
import { importFailed } from '../alerts/notices.ts';

export type { JobRow } from '../db/repos/imports.ts';
export { PROVIDERS, type Provider } from './vendors.ts';

export interface Progress {
  job: number;
  pages: number;
  events: number;
  unmapped: number;
  status: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 400;

/** Another process holds the job's lease (it is running there). */
export class LeaseLost extends ImportError {
  constructor(id: number) { super(`import job ${id} is being run by another server process`); }
}

export function checkRange(from: string, to: string, today = new Date().toISOString().slice(0, 10)): void {
  if (!DAY.test(from) || Number.isNaN(Date.parse(from))) throw new BadInput(`from: "${from}" is not a date (YYYY-MM-DD)`);
  if (!DAY.test(to) || Number.isNaN(Date.parse(to))) throw new BadInput(`to: "${to}" is not a date (YYYY-MM-DD)`);
  if (from > to) throw new BadInput('from: must not be after to');
  // A bucket's id is fixed once stored, so a day the provider is still counting would
  // stay short for ever: only whole days are imported.
  if (to >= today) throw new BadInput(`to: ${to} is not over yet; import up to yesterday`);
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_DAYS) throw new BadInput(`the range is over ${MAX_DAYS} days; import it in parts`);
}

/** A new job, leased at once by this process (which runs it next). */
export async function createJob(s: Services, provider: Provider, from: string, to: string, actor: Actor): Promise<number> {
  const vendor = vendorOf(provider);
  checkRange(from, to);
  const problem = vendor.configProblem?.(s.cfg);
  if (problem) throw new BadInput(problem);
  const id = await s.db.transaction(async (tx) => {
    const job = await imports.createJob(tx, { provider, kind: 'usage', from_day: from, to_day: to, created_by: actor.login }, { owner: s.instance, until: Date.now() + s.leaseMs });
    await audit(tx, actor, 'import.start', provider, { from, to, job });
    return job;
  });
  return id;
}

export async function getJob(s: Services, id: number): Promise<JobRow | null> {
  return imports.job(s.db.sql, id);
}

export interface RunOptions {
  key: string;
  /** The vendor's API (default: from the configuration). */
  baseUrl?: string;
  onProgress?: (p: Progress) => void;
  retryLimit?: number;
}

/** Runs (or resumes) a job to the end. Throws an ImportError with a clear line on failure. */
export async function runJob(s: Services, id: number, o: RunOptions): Promise<Progress> {
  const job = await getJob(s, id);
  if (!job) throw new BadInput(`no import job ${id}`);
  if (job.status === 'done') throw new BadInput(`job: import job ${id} is already done`);
  const owner = s.instance;
  if (!(await imports.leaseJob(s.db.sql, id, owner, Date.now(), Date.now() + s.leaseMs))) throw new LeaseLost(id);
  // The lease is renewed while the job runs, also while a slow page is being fetched.
  let lost = false;
  const renew = setInterval(() => {
    imports.leaseJob(s.db.sql, id, owner, Date.now(), Date.now() + s.leaseMs).then((held) => { if (!held) lost = true; }, () => undefined);
  }, Math.max(200, Math.floor(s.leaseMs / 3)));
  renew.unref();
  const update = async (fields: imports.JobFields) => {
    if (lost || !(await imports.updateJob(s.db.sql, id, fields, owner))) throw new LeaseLost(id);
  };
  if (!isProvider(job.provider)) throw new BadInput(`job: import job ${id} is for an unknown provider "${job.provider}"`);
  const vendor = VENDORS[job.provider];
  const client = createClient({
    ...vendor.client, provider: vendor.label, baseUrl: o.baseUrl ?? vendor.baseUrl(s.cfg), headers: vendor.headers(o.key),
    ...(o.retryLimit === undefined ? {} : { retryLimit: o.retryLimit }),
  });
  const ctx = { client, download: downloadClient(), job, cfg: s.cfg };
  const progress: Progress = { job: id, pages: job.pages, events: job.events, unmapped: job.unmapped, status: 'running' };
  try {
    await update({ status: 'running', error: null });
    const problem = vendor.configProblem?.(s.cfg);
    if (problem) throw new BadInput(problem);
    const { state, seats, warning } = await vendor.prepare(ctx);
    if (warning) s.log.warn(`import: ${warning}`, { job: id, provider: vendor.id });
    if (seats) await saveSeats(s, vendor.source, seats);
    // Where the job stands, saved after every page so a restart resumes here.
    let cursor: unknown = job.cursor ? JSON.parse(job.cursor) : vendor.first(job);
    while (!finished(cursor)) {
      const { page, next } = await vendor.step(ctx, state, cursor);
      cursor = next;
      await save(page);
    }
    progress.status = 'done';
    await update({ status: 'done' });
    o.onProgress?.({ ...progress });
    return progress;

    async function save(page: Page) {
      // Checked before storing: a process that lost the lease stores nothing more.
      if (lost) throw new LeaseLost(id);
      const r = await storeImported(s, vendor.source, page.items, page.activity, page.vendorActivity);
      if (r.rejected) s.log.warn('import: events left out (they break the event rules)', { job: id, provider: vendor.id, count: r.rejected });
      if (page.skipped) s.log.warn('import: records left out (not readable)', { job: id, provider: vendor.id, count: page.skipped });
      progress.pages++;
      progress.events += r.stored;
      progress.unmapped += r.unmapped;
      await update({ pages: progress.pages, events: progress.events, unmapped: progress.unmapped, cursor: JSON.stringify(cursor) });
      o.onProgress?.({ ...progress });
    }
  } catch (err) {
    if (err instanceof LeaseLost) throw err;
    const e = err instanceof BadInput ? err : explain(vendor.label, err, vendor.refused, vendor.keyNoun);
    await imports.updateJob(s.db.sql, id, { status: 'failed', error: e.message }, owner).catch(() => undefined);
    await importFailed(s, { id, provider: job.provider, error: e.message }).catch(() => undefined);
    throw e instanceof ImportError ? e : new ImportError(e.message);
  } finally {
    clearInterval(renew);
    await imports.releaseJob(s.db.sql, id, owner).catch(() => undefined);
  }
}

/** The newest import jobs first, for the admin's imports page. */
export async function listJobs(s: Services, limit = 20): Promise<JobRow[]> {
  return imports.jobs(s.db.sql, limit);
}
