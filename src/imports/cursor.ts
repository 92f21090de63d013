// Cursor's team Admin API (VENDORS.md §1): the team members (our seats) and the filtered
// usage events, one of our events per Cursor usage event. Basic auth with the key as the
// user name. The usage endpoint is a POST that only reads; it answers pages (1-based) of a
// date range that we keep to 30 days per request.
import type { Got } from 'got';
import { idOf, n, type ImportedUsage, type Page, type Seat } from './sources.ts';

export const CURSOR_SOURCE = 'cursor-admin';
/** Our provider for Cursor's events: a Cursor day reconciles with Cursor, never with the model maker's other tools. */
export const CURSOR_PROVIDER = 'cursor';
/** Days per request: the usage endpoints' documented range limit is 30 days. */
export const CHUNK_DAYS = 30;
const PAGE_SIZE = 1000;

export function cursorHeaders(key: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` };
}

const EFFORT = /-(?:thinking|max|minimal|low|medium|high|xhigh)$/;

/**
 * Cursor's model names to price-table ids. Cursor writes Claude 4 and later as
 * claude-<version>-<family> (claude-4.5-sonnet, claude-4-sonnet-thinking) where Anthropic
 * writes claude-<family>-<version>; thinking/effort/max variants are the same model and
 * price. `default` is Cursor's Auto (the model it picked is not reported). Anything else
 * stays as Cursor named it, so an unknown model shows up for the admin to price.
 */
export function cursorModel(raw: string): string {
  let m = raw.trim().toLowerCase();
  if (m === '' || m === 'default' || m === 'auto') return 'cursor-auto';
  if (/^(?:claude|gpt|o\d)/.test(m)) while (EFFORT.test(m)) m = m.replace(EFFORT, '');
  const c = /^claude-(\d+)(?:[.-](\d))?-(opus|sonnet|haiku)(.*)$/.exec(m);
  if (c && Number(c[1]) >= 4) m = `claude-${c[3]}-${c[1]}${c[2] ? `-${c[2]}` : ''}${c[4]}`;
  return m;
}

/** The team members who hold a seat (removed members are listed too, and left out). */
export async function cursorSeats(client: Got): Promise<Seat[]> {
  const body = await client.get('teams/members').json<{ teamMembers?: { id?: unknown; name?: unknown; email?: unknown; role?: unknown; isRemoved?: unknown }[] }>();
  const seats: Seat[] = [];
  for (const m of body.teamMembers ?? []) {
    if (typeof m.email !== 'string' || !m.email || m.isRemoved === true) continue;
    const email = m.email.trim().toLowerCase();
    seats.push({ key: email, label: email, identities: [['email', email]], assigned_at: null, last_activity_at: null, last_activity_editor: null, plan: typeof m.role === 'string' ? m.role : null });
  }
  return seats;
}

/** The chunks of a job's range, each at most CHUNK_DAYS days: [first day, last day]. */
export function chunksOf(from: string, to: string): [string, string][] {
  const out: [string, string][] = [];
  for (let start = from; start <= to;) {
    const end = addDaysUtc(start, CHUNK_DAYS - 1) < to ? addDaysUtc(start, CHUNK_DAYS - 1) : to;
    out.push([start, end]);
    start = addDaysUtc(end, 1);
  }
  return out;
}

function addDaysUtc(day: string, k: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + k);
  return d.toISOString().slice(0, 10);
}

interface UsageEvent {
  timestamp?: unknown; userEmail?: unknown; model?: unknown; kind?: unknown; maxMode?: unknown;
  isTokenBasedCall?: unknown; isHeadless?: unknown; chargedCents?: unknown;
  tokenUsage?: { inputTokens?: unknown; outputTokens?: unknown; cacheWriteTokens?: unknown; cacheReadTokens?: unknown } | null;
}

/** One Cursor usage event as our event, or null when it is not usage (an errored request). */
export function cursorEvent(e: UsageEvent): ImportedUsage | null {
  const ts = typeof e.timestamp === 'string' || typeof e.timestamp === 'number' ? Number(e.timestamp) : NaN;
  if (!Number.isSafeInteger(ts) || ts <= 0 || typeof e.userEmail !== 'string' || !e.userEmail) return null;
  // A request that failed upstream makes no event (DESIGN's counting rules).
  if (typeof e.kind === 'string' && /^errored\b/i.test(e.kind)) return null;
  const email = e.userEmail.trim().toLowerCase();
  const model = cursorModel(typeof e.model === 'string' ? e.model : '');
  // tokenUsage is there only for token-based calls; without it the event is a message with no tokens.
  const t = e.tokenUsage ?? {};
  const tokens = { input_tokens: n(t.inputTokens), output_tokens: n(t.outputTokens), cache_read_tokens: n(t.cacheReadTokens), cache_write_tokens: n(t.cacheWriteTokens) };
  const cents = typeof e.chargedCents === 'number' && Number.isFinite(e.chargedCents) && e.chargedCents >= 0 ? e.chargedCents : undefined;
  return {
    event: {
      ts, provider: CURSOR_PROVIDER, model, is_local: false, ...tokens, source: CURSOR_SOURCE,
      // Cursor gives no event id. The id keeps to what the request was (who, when, which
      // model, which mode, its tokens), not to how it was billed, which Cursor may settle later.
      id: idOf('cu', [ts, email, e.model, e.maxMode === true, e.isHeadless === true, e.isTokenBasedCall === true,
        tokens.input_tokens, tokens.output_tokens, tokens.cache_read_tokens, tokens.cache_write_tokens]),
      ...(cents === undefined ? {} : { billed_cents: cents }),
    },
    identities: [['email', email]],
    label: email,
  };
}

/** One page of usage events of [first, last] (whole UTC days). */
export async function cursorPage(client: Got, first: string, last: string, page: number): Promise<Page & { more: boolean }> {
  const body = await client.post('teams/filtered-usage-events', {
    json: {
      startDate: Date.parse(`${first}T00:00:00Z`),
      // Whether endDate is inclusive is not documented: the last millisecond of the last day.
      endDate: Date.parse(`${addDaysUtc(last, 1)}T00:00:00Z`) - 1,
      page, pageSize: PAGE_SIZE,
    },
  }).json<{ usageEvents?: UsageEvent[]; pagination?: { numPages?: unknown; currentPage?: unknown; hasNextPage?: unknown } }>();
  const items: ImportedUsage[] = [];
  for (const e of body.usageEvents ?? []) {
    const it = cursorEvent(e);
    if (it) items.push(it);
  }
  // The server's own word on paging: a short page says nothing.
  const p = body.pagination ?? {};
  const said = typeof p.hasNextPage === 'boolean' ? p.hasNextPage : typeof p.numPages === 'number' && typeof p.currentPage === 'number' && p.currentPage < p.numPages;
  // An empty page that claims more would page for ever.
  return { items, next: null, more: said && (body.usageEvents ?? []).length > 0 };
}
