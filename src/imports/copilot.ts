// GitHub Copilot usage metrics (VENDORS.md §2): the organization's per-user daily reports
// (REST answer → signed download links → NDJSON, one line per person and day) and the
// Copilot seats. People are GitHub users (id and login); tokens exist only for the Copilot
// CLI. The GitHub token goes to the API only: the download links are fetched by a client
// that has no token at all.
import type { Got, RetryObject } from 'got';
import { HTTPError } from 'got';
import { ImportError } from './client.ts';
import { idOf, n, noonOf, type Identity, type ImportedUsage, type Page, type Seat, type VendorActivity } from './sources.ts';
import { COPILOT_CLI_MODEL } from '../ledger/rules.ts';

export const COPILOT_SOURCE = 'github-copilot';
/** Our provider for Copilot's events: a Copilot day reconciles with Copilot, never with the person's other tools. */
export const COPILOT_PROVIDER = 'github-copilot';
export const GITHUB_API_VERSION = '2022-11-28';
/** A day's report exists two full UTC days after the day ends. */
export const COPILOT_LAG_DAYS = 2;

export function copilotHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': GITHUB_API_VERSION };
}

/**
 * GitHub's rate limits (VENDORS.md §2.1): a 403 or 429 with x-ratelimit-remaining 0 waits
 * for x-ratelimit-reset; a secondary limit without retry-after waits a minute; any other
 * 403 is a refusal and is not retried. Waits past two minutes are not waited: the job
 * stops with the reason and can be resumed.
 */
export function githubRetryDelay(r: RetryObject, now = Date.now()): number {
  const res = r.error.response;
  if (r.computedValue === 0 || !res || (res.statusCode !== 403 && res.statusCode !== 429)) return r.computedValue;
  if (r.retryAfter !== undefined) return r.computedValue;
  const reset = Number(res.headers['x-ratelimit-reset']);
  if (res.headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset)) {
    const wait = reset * 1000 - now + 1000;
    return wait <= 120_000 ? Math.max(1000, wait) : 0;
  }
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
  if (/secondary rate limit/i.test(text)) return 60_000;
  return res.statusCode === 429 ? r.computedValue : 0;
}

const path = (org: string, rest: string) => `orgs/${encodeURIComponent(org)}/${rest}`;

function githubIdentities(id: unknown, login: unknown): Identity[] {
  const out: Identity[] = [];
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) out.push(['github_id', String(id)]);
  if (typeof login === 'string' && login) out.push(['github_login', login.toLowerCase()]);
  return out;
}

/** Every Copilot seat of the organization (paged by the Link header); teams and orgs as assignees are not people. */
export async function copilotSeats(client: Got, org: string): Promise<Seat[]> {
  const seats: Seat[] = [];
  for (let page = 1; page <= 1000; page++) {
    const res = await client.get(path(org, 'copilot/billing/seats'), { searchParams: { per_page: 100, page } });
    const body = res.body as { seats?: Record<string, unknown>[] };
    for (const s of body.seats ?? []) {
      const a = (s.assignee ?? {}) as { login?: unknown; id?: unknown; type?: unknown };
      if (typeof a.login !== 'string' || !a.login || (a.type !== undefined && a.type !== 'User')) continue;
      const when = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : null);
      seats.push({
        key: a.login.toLowerCase(), label: a.login, identities: githubIdentities(a.id, a.login),
        assigned_at: when(s.created_at), last_activity_at: when(s.last_activity_at),
        last_activity_editor: typeof s.last_activity_editor === 'string' ? s.last_activity_editor.slice(0, 200) : null,
        plan: typeof s.plan_type === 'string' ? s.plan_type.slice(0, 64) : null,
      });
    }
    if (!/<[^>]+>;\s*rel="next"/.test(String(res.headers.link ?? ''))) break;
  }
  return seats;
}

/** NDJSON (one JSON object per line); a JSON array is read too. Lines that are not JSON are counted, not fatal. */
export function parseNdjson(text: string): { records: Record<string, unknown>[]; bad: number } {
  const t = text.trim();
  if (t.startsWith('[')) {
    try { return { records: (JSON.parse(t) as unknown[]).filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null), bad: 0 }; } catch { /* read as lines */ }
  }
  const records: Record<string, unknown>[] = [];
  let bad = 0;
  for (const line of t.split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as unknown;
      if (typeof r === 'object' && r !== null && !Array.isArray(r)) records.push(r as Record<string, unknown>); else bad++;
    } catch { bad++; }
  }
  return { records, bad };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const names = (list: unknown, key: string) => [...new Set(((Array.isArray(list) ? list : []) as Record<string, unknown>[])
  .map((x) => x?.[key]).filter((v): v is string => typeof v === 'string' && v !== '').map((v) => v.slice(0, 64)))].sort();
const anyCount = (x: Record<string, unknown>) => ['user_initiated_interaction_count', 'code_generation_activity_count', 'code_acceptance_activity_count', 'loc_added_sum', 'loc_deleted_sum']
  .some((k) => n(x[k]) > 0);

/**
 * One person-day of the report as our events and the day's activity (DESIGN: events =
 * code_generation_activity_count + totals_by_cli.request_count; tokens only from
 * totals_by_cli.token_usage, prompt → input, output → output, no cache split). IDE activity
 * has no tokens and gets none.
 */
export function copilotRecord(r: Record<string, unknown>, fallbackDay: string): { items: ImportedUsage[]; activity: VendorActivity } | null {
  const identities = githubIdentities(r.user_id, r.user_login);
  if (identities.length === 0) return null;
  const day = typeof r.day === 'string' && DAY.test(r.day) ? r.day : fallbackDay;
  const label = typeof r.user_login === 'string' && r.user_login ? r.user_login : `GitHub user ${String(r.user_id)}`;
  const who = identities[0].join(':');
  const cli = (typeof r.totals_by_cli === 'object' && r.totals_by_cli !== null ? r.totals_by_cli : null) as Record<string, unknown> | null;
  const tk = (cli?.token_usage ?? {}) as Record<string, unknown>;
  const gens = n(r.code_generation_activity_count);
  const cliRequests = n(cli?.request_count);
  const prompt = n(tk.prompt_tokens_sum);
  const output = n(tk.output_tokens_sum);
  const items: ImportedUsage[] = [];
  const base = { ts: noonOf(day), provider: COPILOT_PROVIDER, is_local: false, cache_read_tokens: 0, cache_write_tokens: 0, source: COPILOT_SOURCE };
  if (gens > 0) {
    items.push({ identities, label, event: { ...base, model: 'copilot', input_tokens: 0, output_tokens: 0, messages: gens, id: idOf('gc', [day, who, 'ide']) } });
  }
  if (cliRequests > 0 || prompt + output > 0) {
    items.push({ identities, label, event: { ...base, model: COPILOT_CLI_MODEL, input_tokens: prompt, output_tokens: output, messages: cliRequests, id: idOf('gc', [day, who, 'cli']) } });
  }
  const features = new Set(((Array.isArray(r.totals_by_feature) ? r.totals_by_feature : []) as Record<string, unknown>[])
    .filter((f) => typeof f?.feature === 'string' && anyCount(f)).map((f) => String(f.feature).slice(0, 64)));
  for (const [flag, name] of [['used_chat', 'chat'], ['used_agent', 'agent'], ['used_cli', 'cli'], ['used_copilot_coding_agent', 'coding_agent'], ['used_copilot_code_review_active', 'code_review']] as const) {
    if (r[flag] === true) features.add(name);
  }
  if (cli && cliRequests > 0) features.add('cli');
  return {
    items,
    activity: {
      vendor: COPILOT_SOURCE, identities, label, day,
      interactions: n(r.user_initiated_interaction_count), code_generations: gens, code_acceptances: n(r.code_acceptance_activity_count),
      lines_added: n(r.loc_added_sum), lines_removed: n(r.loc_deleted_sum),
      cli_requests: cliRequests, cli_prompt_tokens: prompt, cli_output_tokens: output,
      features: [...features].sort(), ides: names(r.totals_by_ide, 'ide'),
      models: [...new Set([...names(r.totals_by_model_feature, 'model'), ...names(r.totals_by_language_model, 'model')])].sort(),
    },
  };
}

/** The report's download links for a day, or null when GitHub has no report for it (204). */
async function reportLinks(client: Got, org: string, day: string): Promise<string[] | null> {
  const res = await client.get(path(org, 'copilot/metrics/reports/users-1-day'), { searchParams: { day } });
  if (res.statusCode === 204) return null;
  const body = res.body as { download_links?: unknown } | string;
  const list: unknown[] = typeof body === 'object' && body !== null && Array.isArray(body.download_links) ? body.download_links : [];
  for (const l of list) {
    if (typeof l !== 'string' || !/^https?:\/\//i.test(l)) throw new ImportError('GitHub answered a report download link that is not an http(s) URL');
  }
  return list as string[];
}

/**
 * One day of the organization's per-user report. The links are signed and expire: one that
 * is refused is asked for afresh once.
 */
export async function copilotDay(client: Got, download: Got, org: string, day: string): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    const links = await reportLinks(client, org, day);
    if (links === null) return { items: [], vendorActivity: [], next: null };
    try {
      const page: Page = { items: [], vendorActivity: [], next: null, skipped: 0 };
      for (const link of links) {
        const { records, bad } = parseNdjson(await download.get(link).text());
        page.skipped! += bad;
        for (const rec of records) {
          const one = copilotRecord(rec, day);
          if (!one) { page.skipped!++; continue; }
          page.items.push(...one.items);
          page.vendorActivity!.push(one.activity);
        }
      }
      return page;
    } catch (err) {
      const status = err instanceof HTTPError ? err.response.statusCode : 0;
      if (attempt === 1 && [401, 403, 404, 410].includes(status)) continue;
      if (err instanceof HTTPError) throw new ImportError(`GitHub's report download for ${day} answered ${status}`, status);
      throw err;
    }
  }
}
