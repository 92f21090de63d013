// Import jobs: a date range from one provider, fetched page by page. After every page the
// job row records the next page cursor and the counts, so a job cut short (restart, crash)
// resumes where it stopped; event ids come from the providers' bucket keys, so fetching a
// page twice changes nothing.
import { QueryTypes } from 'sequelize';
import type { Services } from '../services.ts';
import { BadInput } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { createClient, explain, ImportError } from './client.ts';
import { anthropicEmails, anthropicPage, claudeCodePage, nextDay, openaiEmails, openaiPage, type Page } from './sources.ts';
import { storeImported } from './mapping.ts';

export type Provider = 'anthropic' | 'openai';
export const PROVIDERS: readonly Provider[] = ['anthropic', 'openai'];

interface Cursor { phase: 'usage' | 'claude_code' | 'done'; page: string | null; day: string }

export interface Progress {
  job: number;
  pages: number;
  events: number;
  unmapped: number;
  status: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 400;

export function checkRange(from: string, to: string, today = new Date().toISOString().slice(0, 10)): void {
  if (!DAY.test(from) || Number.isNaN(Date.parse(from))) throw new BadInput(`from: "${from}" is not a date (YYYY-MM-DD)`);
  if (!DAY.test(to) || Number.isNaN(Date.parse(to))) throw new BadInput(`to: "${to}" is not a date (YYYY-MM-DD)`);
  if (from > to) throw new BadInput('from: must not be after to');
  // A bucket's id is fixed once stored, so a day the provider is still counting would
  // stay short for ever: only whole days are imported.
  if (to >= today) throw new BadInput(`to: ${to} is not over yet; import up to yesterday`);
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_DAYS) throw new BadInput(`the range is over ${MAX_DAYS} days; import it in parts`);
}

export async function createJob(s: Services, provider: Provider, from: string, to: string, actor: Actor): Promise<number> {
  if (!PROVIDERS.includes(provider)) throw new BadInput(`provider: anthropic or openai, not "${provider}"`);
  checkRange(from, to);
  const now = new Date().toISOString();
  const [{ id }] = await s.db.writer.transaction((tx) => tx.all<{ id: number }>(
    `INSERT INTO import_jobs (provider, kind, from_day, to_day, status, pages, events, unmapped, created_by, created_at, updated_at)
     VALUES (?, 'usage', ?, ?, 'queued', 0, 0, 0, ?, ?, ?) RETURNING id`, [provider, from, to, actor.login, now, now]));
  await audit(s.db, actor, 'import.start', provider, { from, to, job: id });
  return Number(id);
}

export interface JobRow { id: number; provider: Provider; from_day: string; to_day: string; status: string; cursor: string | null; pages: number; events: number; unmapped: number; error: string | null }

export async function getJob(s: Services, id: number): Promise<JobRow | null> {
  const rows = await s.db.sequelize.query<JobRow>('SELECT * FROM import_jobs WHERE id = ?', { replacements: [id], type: QueryTypes.SELECT });
  return rows[0] ?? null;
}

async function update(s: Services, id: number, fields: Partial<JobRow>): Promise<void> {
  const keys = Object.keys(fields);
  await s.db.sequelize.query(`UPDATE import_jobs SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
    { replacements: [...keys.map((k) => (fields as Record<string, unknown>)[k]), new Date().toISOString(), id] });
}

export interface RunOptions {
  key: string;
  baseUrl: string;
  onProgress?: (p: Progress) => void;
  retryLimit?: number;
}

/** Runs (or resumes) a job to the end. Throws an ImportError with a clear line on failure. */
export async function runJob(s: Services, id: number, o: RunOptions): Promise<Progress> {
  const job = await getJob(s, id);
  if (!job) throw new BadInput(`no import job ${id}`);
  const label = job.provider === 'anthropic' ? 'Anthropic' : 'OpenAI';
  const client = createClient({
    provider: label, baseUrl: o.baseUrl, retryLimit: o.retryLimit,
    headers: job.provider === 'anthropic' ? { 'x-api-key': o.key, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${o.key}` },
  });
  const progress: Progress = { job: id, pages: job.pages, events: job.events, unmapped: job.unmapped, status: 'running' };
  await update(s, id, { status: 'running', error: null });
  try {
    const emails = job.provider === 'anthropic' ? await anthropicEmails(client) : await openaiEmails(client);
    // Where the job stands: the usage report's pages first, then (Anthropic) the Claude Code
    // analytics day by day. Saved after every page so a restart resumes here.
    let cursor: Cursor = job.cursor ? JSON.parse(job.cursor) as Cursor : { phase: 'usage', page: null, day: job.from_day };
    const save = async (page: Page) => {
      const r = await storeImported(s, `${job.provider}-admin`, page.items, page.activity);
      progress.pages++;
      progress.events += r.stored;
      progress.unmapped += r.unmapped;
      await update(s, id, { pages: progress.pages, events: progress.events, unmapped: progress.unmapped, cursor: JSON.stringify(cursor) });
      o.onProgress?.({ ...progress });
    };
    while (cursor.phase === 'usage') {
      const page: Page = job.provider === 'anthropic'
        ? await anthropicPage(client, job.from_day, job.to_day, cursor.page, emails)
        : await openaiPage(client, job.from_day, job.to_day, cursor.page, emails);
      cursor = page.next ? { ...cursor, page: page.next } : { phase: job.provider === 'anthropic' ? 'claude_code' : 'done', page: null, day: job.from_day };
      await save(page);
    }
    while (cursor.phase === 'claude_code') {
      const page = await claudeCodePage(client, cursor.day, cursor.page);
      if (page.next) cursor = { ...cursor, page: page.next };
      else if (cursor.day < job.to_day) cursor = { phase: 'claude_code', page: null, day: nextDay(cursor.day) };
      else cursor = { phase: 'done', page: null, day: cursor.day };
      await save(page);
    }
    progress.status = 'done';
    await update(s, id, { status: 'done' });
    o.onProgress?.({ ...progress });
    return progress;
  } catch (err) {
    const e = err instanceof BadInput ? err : explain(label, err);
    await update(s, id, { status: 'failed', error: e.message });
    throw e instanceof ImportError ? e : new ImportError(e.message);
  }
}

/** The newest import jobs first, for the admin's imports page. */
export async function listJobs(s: Services, limit = 20): Promise<(JobRow & { created_by: string; created_at: string; updated_at: string })[]> {
  return s.db.sequelize.query('SELECT * FROM import_jobs ORDER BY id DESC LIMIT ?', { replacements: [limit], type: QueryTypes.SELECT });
}
