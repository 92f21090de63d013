// Reading the providers' usage reports, page by page, into usage events with the
// identities they carry. Daily buckets are UTC days; an event is placed at noon UTC of its
// day so it lands on the same calendar date in the org's time zone (UTC-12 … UTC+11).
import { createHash } from 'node:crypto';
import type { Got } from 'got';
import type { WireEvent } from '../../agent/wire.ts';
import type { LedgerEvent } from '../ledger/write.ts';

export type Identity = [kind: string, id: string];

export interface ImportedUsage {
  event: LedgerEvent;
  identities: Identity[];
  /** What the admin sees for unmapped usage: an email, an account or key id. */
  label: string;
}

/** The counts of a vendor's daily activity record (Copilot's usage metrics). */
export const ACTIVITY_COUNTS = ['interactions', 'code_generations', 'code_acceptances', 'lines_added', 'lines_removed', 'cli_requests', 'cli_prompt_tokens', 'cli_output_tokens'] as const;
export type ActivityCounts = Record<(typeof ACTIVITY_COUNTS)[number], number>;

/**
 * A vendor's whole day of one person's activity that carries no tokens of its own
 * (Copilot's usage metrics). A re-import replaces the day.
 */
export interface VendorActivity extends ActivityCounts {
  vendor: string;
  identities: Identity[];
  label: string;
  day: string;
  features: string[];
  ides: string[];
  models: string[];
}

/** A licence the vendor reports (a Copilot seat, a Cursor team member). */
export interface Seat {
  /** Lower-cased login or email: one seat per person per vendor. */
  key: string;
  label: string;
  identities: Identity[];
  assigned_at: number | null;
  /** The vendor's own last-activity time (Copilot), or null (never used, or not reported). */
  last_activity_at: number | null;
  last_activity_editor: string | null;
  plan: string | null;
}

export interface Activity {
  identities: Identity[];
  day: string;
  sessions: number;
  lines_added: number;
  lines_removed: number;
  commits: number;
  pull_requests: number;
}

export interface Page {
  items: ImportedUsage[];
  next: string | null;
  /** Claude Code analytics (sessions, lines, commits, PRs) per person and day. */
  activity?: Activity[];
  /** Other vendors' daily activity without tokens (Copilot). */
  vendorActivity?: VendorActivity[];
  /** Records left out because they could not be read (logged, never fatal). */
  skipped?: number;
}

/** A stable event id from a vendor's own fields (for APIs that give none). */
export const idOf = (prefix: string, parts: unknown[]) => `${prefix}:${createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\u0000')).digest('hex').slice(0, 40)}`;
/** A non-negative whole count from a vendor's field; anything else is 0. */
export const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);
export const noonOf = (day: string) => Date.parse(`${day}T12:00:00Z`);

/** Anthropic: /v1/organizations/usage_report/messages, daily buckets by key, account and model. */
export async function anthropicPage(client: Got, from: string, to: string, page: string | null, emails: Map<string, string>): Promise<Page> {
  const searchParams = new URLSearchParams({ starting_at: `${from}T00:00:00Z`, ending_at: `${nextDay(to)}T00:00:00Z`, bucket_width: '1d', limit: '31' });
  for (const g of ['api_key_id', 'account_id', 'model', 'workspace_id']) searchParams.append('group_by[]', g);
  if (page) searchParams.set('page', page);
  const body = await client.get('v1/organizations/usage_report/messages', { searchParams }).json<{ data?: unknown[]; has_more?: boolean; next_page?: string | null }>();
  const items: ImportedUsage[] = [];
  for (const bucket of body.data ?? []) {
    const b = bucket as { starting_at?: string; results?: Record<string, unknown>[] };
    const day = String(b.starting_at ?? '').slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    for (const r of b.results ?? []) {
      if (typeof r.model !== 'string' || !r.model) continue;
      const cc = (r.cache_creation ?? {}) as Record<string, unknown>;
      const event: WireEvent = {
        ts: noonOf(day), provider: 'anthropic', model: r.model, is_local: false,
        input_tokens: n(r.uncached_input_tokens), output_tokens: n(r.output_tokens),
        cache_read_tokens: n(r.cache_read_input_tokens), cache_write_tokens: n(cc.ephemeral_5m_input_tokens) + n(cc.ephemeral_1h_input_tokens),
        // The 1-hour writes, part of the writes above: priced at their own rate (cache_write_1h).
        ...(n(cc.ephemeral_1h_input_tokens) > 0 ? { cache_write_1h_tokens: n(cc.ephemeral_1h_input_tokens) } : {}),
        id: idOf('aa', [day, r.api_key_id, r.account_id, r.workspace_id, r.model, r.service_tier, r.context_window, r.inference_geo]),
        source: 'anthropic-admin',
      };
      if (event.input_tokens + event.output_tokens + event.cache_read_tokens + event.cache_write_tokens === 0) continue;
      const identities: Identity[] = [];
      if (typeof r.account_id === 'string') {
        identities.push(['anthropic_account', r.account_id]);
        const email = emails.get(r.account_id);
        if (email) identities.push(['email', email.toLowerCase()]);
      }
      if (typeof r.api_key_id === 'string') identities.push(['anthropic_api_key', r.api_key_id]);
      const email = identities.find(([k]) => k === 'email');
      items.push({ event, identities, label: email?.[1] ?? identities[0]?.[1] ?? 'no account or key id' });
    }
  }
  return { items, next: body.has_more && body.next_page ? body.next_page : null };
}

/** Anthropic organization members: account id → email. */
export function anthropicEmails(client: Got): Promise<Map<string, string>> {
  return memberEmails(client, 'v1/organizations/users', 1000, 'after_id');
}

/**
 * Both providers list members the same way: pages of {id, email} with has_more and the
 * last id, passed back under a provider-specific parameter name.
 */
async function memberEmails(client: Got, path: string, limit: number, afterParam: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let after: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const searchParams = new URLSearchParams({ limit: String(limit) });
    if (after) searchParams.set(afterParam, after);
    const body = await client.get(path, { searchParams }).json<{ data?: { id?: string; email?: string }[]; has_more?: boolean; last_id?: string }>();
    for (const u of body.data ?? []) if (u.id && u.email) out.set(u.id, u.email);
    if (!body.has_more || !body.last_id) break;
    after = body.last_id;
  }
  return out;
}

/** OpenAI: /v1/organization/usage/completions, daily buckets by user, key, project and model. */
export async function openaiPage(client: Got, from: string, to: string, page: string | null, emails: Map<string, string>): Promise<Page> {
  const searchParams = new URLSearchParams({
    start_time: String(Date.parse(`${from}T00:00:00Z`) / 1000), end_time: String(Date.parse(`${nextDay(to)}T00:00:00Z`) / 1000),
    bucket_width: '1d', limit: '31',
  });
  for (const g of ['user_id', 'model', 'api_key_id', 'project_id']) searchParams.append('group_by', g);
  if (page) searchParams.set('page', page);
  const body = await client.get('v1/organization/usage/completions', { searchParams }).json<{ data?: unknown[]; has_more?: boolean; next_page?: string | null }>();
  const items: ImportedUsage[] = [];
  for (const bucket of body.data ?? []) {
    const b = bucket as { start_time?: number; results?: Record<string, unknown>[] };
    if (typeof b.start_time !== 'number') continue;
    const day = new Date(b.start_time * 1000).toISOString().slice(0, 10);
    for (const r of b.results ?? []) {
      if (typeof r.model !== 'string' || !r.model) continue;
      const cached = n(r.input_cached_tokens);
      const event: WireEvent = {
        ts: noonOf(day), provider: 'openai', model: r.model, is_local: false,
        // OpenAI's input_tokens include the cached ones.
        input_tokens: Math.max(0, n(r.input_tokens) - cached), output_tokens: n(r.output_tokens),
        cache_read_tokens: cached, cache_write_tokens: 0,
        id: idOf('oa', [day, r.user_id, r.api_key_id, r.project_id, r.model, r.batch, r.service_tier]),
        source: 'openai-admin',
      };
      if (event.input_tokens + event.output_tokens + event.cache_read_tokens === 0) continue;
      const identities: Identity[] = [];
      if (typeof r.user_id === 'string') {
        identities.push(['openai_user', r.user_id]);
        const email = emails.get(r.user_id);
        if (email) identities.push(['email', email.toLowerCase()]);
      }
      if (typeof r.api_key_id === 'string') identities.push(['openai_api_key', r.api_key_id]);
      const email = identities.find(([k]) => k === 'email');
      items.push({ event, identities, label: email?.[1] ?? identities[0]?.[1] ?? 'no user or key id' });
    }
  }
  return { items, next: body.has_more && body.next_page ? body.next_page : null };
}

/** OpenAI organization users: user id → email. */
export function openaiEmails(client: Got): Promise<Map<string, string>> {
  return memberEmails(client, 'v1/organization/users', 100, 'after');
}

export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Anthropic's Claude Code Analytics API, one UTC day per call. Activity (sessions, lines,
 * commits, PRs) is kept for everyone. Tokens become events only for subscription seats:
 * Claude Code on an API key is already in the messages usage report, and counting it from
 * both would double it.
 */
export async function claudeCodePage(client: Got, day: string, page: string | null): Promise<Page> {
  const searchParams = new URLSearchParams({ starting_at: day, limit: '1000' });
  if (page) searchParams.set('page', page);
  const body = await client.get('v1/organizations/usage_report/claude_code', { searchParams }).json<{ data?: Record<string, unknown>[]; has_more?: boolean; next_page?: string | null }>();
  const items: ImportedUsage[] = [];
  const activity: Activity[] = [];
  for (const rec of body.data ?? []) {
    const actor = (rec.actor ?? {}) as { type?: string; email_address?: string; api_key_name?: string };
    const identities: Identity[] = [];
    if (actor.type === 'user_actor' && actor.email_address) identities.push(['email', actor.email_address.toLowerCase()]);
    if (actor.type === 'api_actor' && actor.api_key_name) identities.push(['anthropic_api_key_name', actor.api_key_name]);
    if (identities.length === 0) continue;
    const core = (rec.core_metrics ?? {}) as Record<string, unknown>;
    const lines = (core.lines_of_code ?? {}) as Record<string, unknown>;
    activity.push({
      identities, day, sessions: n(core.num_sessions), lines_added: n(lines.added), lines_removed: n(lines.removed),
      commits: n(core.commits_by_claude_code), pull_requests: n(core.pull_requests_by_claude_code),
    });
    if (rec.customer_type !== 'subscription') continue;
    for (const m of (rec.model_breakdown ?? []) as { model?: string; tokens?: Record<string, unknown> }[]) {
      if (!m.model) continue;
      const tk = m.tokens ?? {};
      const event: WireEvent = {
        ts: noonOf(day), provider: 'anthropic', model: m.model, is_local: false,
        input_tokens: n(tk.input), output_tokens: n(tk.output), cache_read_tokens: n(tk.cache_read), cache_write_tokens: n(tk.cache_creation),
        id: idOf('acc', [day, identities[0][1], m.model, rec.terminal_type]),
        source: 'anthropic-admin',
      };
      if (event.input_tokens + event.output_tokens + event.cache_read_tokens + event.cache_write_tokens === 0) continue;
      items.push({ event, identities, label: identities[0][1] });
    }
  }
  return { items, activity, next: body.has_more && body.next_page ? body.next_page : null };
}
