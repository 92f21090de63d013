// Fake Cursor Admin API and GitHub Copilot usage metrics on 127.0.0.1, answering as the
// public documentation says (../shared/VENDORS.md): Cursor's Basic auth with the key as user
// name, JSON errors {error, message}, members, the POST usage endpoint with 1-based pages
// of the server's own size and a 30-day range limit, 429s; GitHub's Bearer token, API
// version and User-Agent checks, errors {message, documentation_url, status}, seats paged by
// the Link header, per-day reports answered with signed download links (204 for a day
// without a report) on a separate storage host that refuses an Authorization header.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const closer = (server: Server) => () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const readBody = (req: IncomingMessage) => new Promise<string>((resolve) => {
  let b = '';
  req.on('data', (c) => { b += c; });
  req.on('end', () => resolve(b));
});

// ---------------------------------------------------------------- Cursor

export interface CursorMember { id: number; name: string; email: string; role: string; isRemoved: boolean }
export type CursorUsage = Record<string, unknown> & { timestamp: string };

export interface FakeCursor {
  url: string;
  /** Every request: method, path, JSON body (POST), whether its Basic auth was right. */
  calls: { method: string; path: string; body: Record<string, unknown> | null; authorized: boolean; authorization: string }[];
  close(): Promise<void>;
}

export async function fakeCursor(o: {
  key: string; members: CursorMember[]; events: CursorUsage[];
  /** The page size the server uses, whatever the client asks for. */
  pageSize?: number;
  /** Usage-endpoint calls (1-based) answered 429, with the retry-after header given ('' for none). */
  rateLimited?: Record<number, string>;
}): Promise<FakeCursor> {
  const calls: FakeCursor['calls'] = [];
  let usageCalls = 0;
  const expected = `Basic ${Buffer.from(`${o.key}:`).toString('base64')}`;
  const server = createServer(async (req, res) => {
    const u = new URL(req.url!, 'http://x');
    const raw = req.method === 'POST' ? await readBody(req) : '';
    let body: Record<string, unknown> | null = null;
    try { body = raw ? JSON.parse(raw) : null; } catch { return send(res, 400, { error: 'Bad Request', message: 'Invalid JSON' }); }
    const authorization = String(req.headers.authorization ?? '');
    const authorized = authorization === expected;
    calls.push({ method: req.method!, path: u.pathname, body, authorized, authorization });
    if (!authorized) return send(res, 401, { error: 'Unauthorized', message: 'Invalid API key' });
    if (req.method === 'GET' && u.pathname === '/teams/members') return send(res, 200, { teamMembers: o.members });
    if (req.method === 'POST' && u.pathname === '/teams/filtered-usage-events') {
      usageCalls++;
      const limited = o.rateLimited?.[usageCalls];
      if (limited !== undefined) return send(res, 429, { error: 'Too Many Requests', message: 'Rate limit exceeded. Please try again later.' }, limited ? { 'retry-after': limited } : {});
      const start = Number(body?.startDate);
      const end = Number(body?.endDate);
      if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return send(res, 400, { error: 'Bad Request', message: 'Invalid date range' });
      if (end - start > 30 * 86_400_000) return send(res, 400, { error: 'Bad Request', message: 'Date range cannot exceed 30 days' });
      const page = Number(body?.page ?? 1);
      const size = o.pageSize ?? 10;
      // Newest first, as the documented example lists them.
      const all = o.events.filter((e) => Number(e.timestamp) >= start && Number(e.timestamp) <= end).sort((a, b) => Number(b.timestamp) - Number(a.timestamp));
      const numPages = Math.max(1, Math.ceil(all.length / size));
      return send(res, 200, {
        totalUsageEventsCount: all.length,
        pagination: { numPages, currentPage: page, pageSize: size, hasNextPage: page < numPages, hasPreviousPage: page > 1 },
        usageEvents: all.slice((page - 1) * size, page * size),
        period: { startDate: start, endDate: end },
      });
    }
    send(res, 404, { error: 'Not Found', message: 'Resource not found' });
  });
  return { url: await listen(server), calls, close: closer(server) };
}

// ---------------------------------------------------------------- GitHub Copilot

export interface FakeCopilot {
  /** The API base as github.api_url takes it (with the Enterprise Server path when asked). */
  apiUrl: string;
  storageUrl: string;
  apiCalls: { path: string; query: URLSearchParams; authorization: string }[];
  downloads: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

export async function fakeCopilot(o: {
  token: string; org: string;
  /** '' (github.com layout) or '/api/v3' (Enterprise Server). */
  prefix?: string;
  seats: Record<string, unknown>[];
  /** The most seats per page this server gives (GitHub: 100). */
  maxPerPage?: number;
  /** day → report files, each a list of NDJSON lines. Days not listed answer 204. */
  reports: Record<string, string[][]>;
  /** Report calls (1-based) answered 403 with the primary rate limit used up (reset in a second). */
  rateLimited?: number[];
  /** Download paths whose first fetch answers 403 (the signed link expired). */
  expireOnce?: string[];
  /** The token may read the metrics but not the seats (403). */
  seatsForbidden?: boolean;
}): Promise<FakeCopilot> {
  const prefix = o.prefix ?? '';
  const apiCalls: FakeCopilot['apiCalls'] = [];
  const downloads: FakeCopilot['downloads'] = [];
  const signatures = new Set<string>();
  const expired = new Set(o.expireOnce ?? []);
  let reportCalls = 0;
  let storageUrl = '';
  let apiBase = '';
  const error = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    send(res, status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) }, headers);

  const storage = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    downloads.push({ path: u.pathname, authorization: req.headers.authorization });
    // A signed URL is its own credential: storage refuses a second one.
    if (req.headers.authorization) return send(res, 400, { error: 'InvalidArgument', message: 'Only one auth mechanism allowed' });
    if (!signatures.has(u.searchParams.get('sig') ?? '')) return send(res, 403, { error: 'AuthenticationFailed', message: 'Signature not valid' });
    if (expired.delete(u.pathname)) return send(res, 403, { error: 'AuthenticationFailed', message: 'Signed expiry time has passed' });
    const m = /^\/copilot-reports\/(\d{4}-\d{2}-\d{2})\/part-(\d+)\.ndjson$/.exec(u.pathname);
    const file = m ? o.reports[m[1]]?.[Number(m[2])] : undefined;
    if (!file) return send(res, 404, { error: 'BlobNotFound', message: 'The specified blob does not exist.' });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(file.join('\n') + '\n');
  });
  storageUrl = await listen(storage);

  const api = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const authorization = String(req.headers.authorization ?? '');
    apiCalls.push({ path: u.pathname, query: u.searchParams, authorization });
    if (!req.headers['user-agent']) return error(res, 403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header');
    const version = req.headers['x-github-api-version'];
    if (version !== undefined && version !== '2022-11-28' && version !== '2026-03-10') return error(res, 400, `Unsupported 'X-GitHub-Api-Version': ${String(version)}`);
    if (!authorization) return error(res, 401, 'Requires authentication');
    if (authorization !== `Bearer ${o.token}` && authorization !== `token ${o.token}`) return error(res, 401, 'Bad credentials');
    if (!u.pathname.startsWith(`${prefix}/`)) return error(res, 404, 'Not Found');
    const path = u.pathname.slice(prefix.length);
    const org = `/orgs/${o.org}/`;
    if (!path.startsWith(org)) return error(res, 404, 'Not Found');
    const rest = path.slice(org.length);
    if (rest === 'copilot/billing/seats') {
      if (o.seatsForbidden) return error(res, 403, 'Resource not accessible by personal access token');
      const per = Math.min(Number(u.searchParams.get('per_page') ?? 50), o.maxPerPage ?? 100);
      const page = Number(u.searchParams.get('page') ?? 1);
      const last = Math.max(1, Math.ceil(o.seats.length / per));
      const link = (p: number, rel: string) => `<${apiBase}/orgs/${o.org}/copilot/billing/seats?per_page=${per}&page=${p}>; rel="${rel}"`;
      const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
      return send(res, 200, { total_seats: o.seats.length, seats: o.seats.slice((page - 1) * per, page * per) }, links.length ? { link: links.join(', ') } : {});
    }
    if (rest === 'copilot/metrics/reports/users-1-day') {
      reportCalls++;
      if (o.rateLimited?.includes(reportCalls)) {
        return error(res, 403, 'API rate limit exceeded for user ID 1.', { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1), 'x-ratelimit-resource': 'core' });
      }
      const day = u.searchParams.get('day') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return error(res, 422, 'Invalid request: day is required');
      const files = o.reports[day];
      if (!files) { res.writeHead(204); res.end(); return; }
      const links = files.map((_, i) => {
        const sig = randomBytes(8).toString('hex');
        signatures.add(sig);
        return `${storageUrl}/copilot-reports/${day}/part-${i}.ndjson?sv=2025-01-05&se=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}&sig=${sig}`;
      });
      return send(res, 200, { download_links: links, report_day: day });
    }
    error(res, 404, 'Not Found');
  });
  const base = await listen(api);
  apiBase = `${base}${prefix}`;
  return {
    apiUrl: apiBase, storageUrl, apiCalls, downloads,
    close: async () => { await closer(api)(); await closer(storage)(); },
  };
}
