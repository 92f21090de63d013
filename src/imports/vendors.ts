// The vendors an import can read, each described once: how to reach and authenticate to
// it, what its events are called, and how a job walks through its data (a cursor the job
// row stores after every page, so a job cut short resumes where it stopped). run.ts drives
// any of them the same way: one import framework, not one per vendor.
import { HTTPError, type Got } from 'got';
import type { Config } from '../config.ts';
import type { JobRow } from '../db/repos/imports.ts';
import { BadInput } from '../errors.ts';
import type { ClientOptions } from './client.ts';
import { anthropicEmails, anthropicPage, claudeCodePage, nextDay, openaiEmails, openaiPage, type Page, type Seat } from './sources.ts';
import { chunksOf, CURSOR_SOURCE, cursorHeaders, cursorPage, cursorSeats } from './cursor.ts';
import { COPILOT_LAG_DAYS, COPILOT_SOURCE, copilotDay, copilotHeaders, copilotSeats, githubRetryDelay } from './copilot.ts';

export type Provider = 'anthropic' | 'openai' | 'cursor' | 'copilot';
export const PROVIDERS: readonly Provider[] = ['anthropic', 'openai', 'cursor', 'copilot'];

export interface StepContext {
  client: Got;
  /** For signed download links: carries no key. */
  download: Got;
  job: JobRow;
  cfg: Config;
}

export interface Vendor {
  id: Provider;
  /** Who answers, in messages ("GitHub refused the token"). */
  label: string;
  /** What the admin panel calls it. */
  title: string;
  /** The source of its events, and the provider name of its unmapped usage. */
  source: string;
  /** What the admin stores for it, in messages ("refused the token"). */
  keyNoun: string;
  /** A hint of what its keys look like, for the key field. */
  placeholder: string;
  /** What to check when the vendor refuses the key. */
  refused: string;
  baseUrl(cfg: Config): string;
  headers(key: string): Record<string, string>;
  client?: Pick<ClientOptions, 'retryLimit' | 'paceAfter429Ms' | 'retryDelay' | 'extraRetryStatuses'>;
  /** A configuration problem that keeps an import from running (the key to set), or null. */
  configProblem?(cfg: Config): string | null;
  /** Days a day's numbers take to appear: the daily sync reaches back this much further. */
  lagDays: number;
  /**
   * Once per run, before the pages: what the pages need, and the vendor's seats if it has
   * any; a warning when something optional could not be read (logged, the import goes on).
   */
  prepare(ctx: StepContext): Promise<{ state: unknown; seats?: Seat[]; warning?: string }>;
  first(job: JobRow): unknown;
  /** Fetches what the cursor points at; the next cursor is null when the job is done. */
  step(ctx: StepContext, state: unknown, cursor: unknown): Promise<{ page: Page; next: unknown }>;
}

/** Anthropic and OpenAI store this cursor shape (jobs stored by earlier versions resume with it). */
interface AdminCursor { phase: 'usage' | 'claude_code' | 'done'; page: string | null; day: string }

const adminVendor = (id: 'anthropic' | 'openai'): Vendor => ({
  id,
  label: id === 'anthropic' ? 'Anthropic' : 'OpenAI',
  title: id === 'anthropic' ? 'Anthropic' : 'OpenAI',
  source: `${id}-admin`,
  keyNoun: 'admin key',
  placeholder: id === 'anthropic' ? 'sk-ant-admin…' : 'sk-admin-…',
  refused: 'check it is an organization Admin key with usage access',
  baseUrl: (cfg) => (id === 'anthropic' ? cfg.providers.anthropic_api_url : cfg.providers.openai_api_url),
  headers: (key): Record<string, string> => (id === 'anthropic' ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${key}` }),
  lagDays: 0,
  async prepare({ client }) {
    return { state: id === 'anthropic' ? await anthropicEmails(client) : await openaiEmails(client) };
  },
  first: (job): AdminCursor => ({ phase: 'usage', page: null, day: job.from_day }),
  async step({ client, job }, state, cursor) {
    const c = cursor as AdminCursor;
    const emails = state as Map<string, string>;
    if (c.phase === 'usage') {
      const page = id === 'anthropic'
        ? await anthropicPage(client, job.from_day, job.to_day, c.page, emails)
        : await openaiPage(client, job.from_day, job.to_day, c.page, emails);
      // Then (Anthropic) the Claude Code analytics, day by day.
      const next = page.next ? { ...c, page: page.next } : id === 'anthropic' ? { phase: 'claude_code', page: null, day: job.from_day } : null;
      return { page, next };
    }
    const page = await claudeCodePage(client, c.day, c.page);
    const next = page.next ? { ...c, page: page.next } : c.day < job.to_day ? { phase: 'claude_code', page: null, day: nextDay(c.day) } : null;
    return { page, next };
  },
});

interface CursorCursor { from: string; page: number }

const cursor: Vendor = {
  id: 'cursor',
  label: 'Cursor',
  title: 'Cursor',
  source: CURSOR_SOURCE,
  keyNoun: 'Admin API key',
  placeholder: 'crsr_… or key_…',
  refused: 'check it is a team Admin API key (Cursor dashboard → Settings → Advanced → Admin API Keys) on a plan with Admin API access',
  baseUrl: (cfg) => cfg.providers.cursor_api_url,
  headers: cursorHeaders,
  // 20 requests a minute per team: after a 429, keep three seconds between requests, and
  // retry long enough (1, 2, 4, … 30 s) to outlast a minute's window.
  client: { retryLimit: 8, paceAfter429Ms: 3_000 },
  lagDays: 0,
  async prepare({ client }) {
    return { state: null, seats: await cursorSeats(client) };
  },
  first: (job): CursorCursor => ({ from: job.from_day, page: 1 }),
  async step({ client, job }, _state, at) {
    const c = at as CursorCursor;
    const chunk = chunksOf(c.from, job.to_day)[0];
    const page = await cursorPage(client, chunk[0], chunk[1], c.page);
    const next: CursorCursor | null = page.more ? { from: c.from, page: c.page + 1 } : chunk[1] < job.to_day ? { from: nextDay(chunk[1]), page: 1 } : null;
    return { page, next };
  },
};

interface CopilotCursor { day: string }

const copilot: Vendor = {
  id: 'copilot',
  label: 'GitHub',
  title: 'GitHub Copilot',
  source: COPILOT_SOURCE,
  keyNoun: 'token',
  placeholder: 'github_pat_… or ghp_…',
  refused: 'it needs read:org (classic token) or "Organization Copilot metrics: read" (fine-grained token or GitHub App) from an organization owner, and the Copilot usage metrics policy must be on',
  baseUrl: (cfg) => cfg.github.api_url,
  headers: copilotHeaders,
  client: { retryDelay: (r) => githubRetryDelay(r), extraRetryStatuses: [403] },
  configProblem: (cfg) => (cfg.github.org ? null : 'github.org: set it to the organization whose Copilot usage to import'),
  lagDays: COPILOT_LAG_DAYS,
  async prepare({ client, cfg }) {
    // A token may read the usage metrics without seeing the seats (they need an owner's
    // billing access): the usage still comes in, the last seats stay as they were.
    try {
      return { state: null, seats: await copilotSeats(client, cfg.github.org) };
    } catch (err) {
      const status = err instanceof HTTPError ? err.response.statusCode : 0;
      if ((status !== 403 && status !== 404) || err instanceof HTTPError && err.response.headers['x-ratelimit-remaining'] === '0') throw err;
      return { state: null, warning: `GitHub answered ${status} for the Copilot seats (they need an organization owner's token with manage_billing:copilot or read:org); seats were not updated` };
    }
  },
  first: (job): CopilotCursor => ({ day: job.from_day }),
  async step({ client, download, job, cfg }, _state, at) {
    const c = at as CopilotCursor;
    const page = await copilotDay(client, download, cfg.github.org, c.day);
    return { page, next: c.day < job.to_day ? { day: nextDay(c.day) } : null };
  },
};

export const VENDORS: Readonly<Record<Provider, Vendor>> = { anthropic: adminVendor('anthropic'), openai: adminVendor('openai'), cursor, copilot };

export function isProvider(v: unknown): v is Provider {
  return typeof v === 'string' && (PROVIDERS as readonly string[]).includes(v);
}

/** The vendor of a provider name, or a clear refusal naming the ones there are. */
export function vendorOf(provider: string): Vendor {
  if (!isProvider(provider)) throw new BadInput(`provider: one of ${PROVIDERS.join(', ')}, not "${provider}"`);
  return VENDORS[provider];
}

/** What a job's finished cursor looks like (null now; 'done' in jobs stored by earlier versions). */
export function finished(c: unknown): boolean {
  return c === null || (c as { phase?: unknown }).phase === 'done';
}
