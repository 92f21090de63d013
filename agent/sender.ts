// Posts signed batches to POST /api/ingest (DESIGN "Ingest API") and says what the answer
// means for the queue. The signature is computed by agent/wire.ts, the one definition
// shared with the server.
import { signedHeaders } from './wire.ts';
import type { Login } from './config.ts';
import { httpModule, httpsModule } from './lazy.ts';

export type SendResult =
  | { kind: 'stored'; accepted: number; duplicates: number }
  /** 409: this exact request was already received, so the events are stored. */
  | { kind: 'replayed' }
  /** Network error, timeout, 5xx or 429: keep everything and retry later. */
  | { kind: 'retry'; status: number | null; error: string; retryAfterMs: number | null }
  /** 401: stop sending until the login changes. */
  | { kind: 'unauthorized'; error: string }
  /** 400/413 (and other 4xx): the server will never take this batch as it is. */
  | { kind: 'refused'; status: number; error: string; field: string | null };

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

const TIMEOUT_MS = 30_000;
/** Batches a drain keeps on the wire at once (flusher.ts): one connection each. */
export const IN_FLIGHT = 2;

function retryAfter(v: string | null): number | null {
  if (!v) return null;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

type HttpModule = Pick<typeof import('node:http'), 'request' | 'Agent'>;
const connections = new Map<string, { mod: HttpModule; agent: import('node:http').Agent }>();

/**
 * The default way to post: node:http(s) with a keep-alive connection.
 * fetch would do, but its first call compiles undici (tens of milliseconds of a short
 * `collect`), and each request costs more than a plain http request.
 */
export const httpPost: FetchLike = async (url, init) => {
  const u = new URL(url);
  let conn = connections.get(u.protocol);
  if (!conn) {
    const mod = (u.protocol === 'https:' ? httpsModule() : httpModule()) as unknown as HttpModule;
    connections.set(u.protocol, (conn = { mod, agent: new mod.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) }));
  }
  const { mod, agent } = conn;
  return new Promise((resolve, reject) => {
    const req = mod.request(u, { method: init.method, headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: { get: (n) => { const v = res.headers[n.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v; } }, text: async () => text });
      });
      res.on('error', reject);
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    init.signal?.addEventListener('abort', () => req.destroy(init.signal!.reason as Error), { once: true });
    req.on('error', reject);
    req.end(init.body);
  });
};

export async function postBatch(login: Login, body: string, fetchImpl: FetchLike = httpPost): Promise<SendResult> {
  let status: number;
  let text = '';
  let headers: { get(name: string): string | null };
  try {
    const res = await fetchImpl(`${login.server}/api/ingest`, {
      method: 'POST', headers: signedHeaders(login.user, login.token, body), body, ...(fetchImpl === httpPost ? {} : { signal: AbortSignal.timeout(TIMEOUT_MS) }),
    });
    status = res.status;
    headers = res.headers;
    text = await res.text();
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string } };
    return { kind: 'retry', status: null, error: e.cause?.code ?? e.code ?? (e.name === 'TimeoutError' ? 'timeout' : e.message), retryAfterMs: null };
  }
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A proxy's HTML error page, say; the status still decides.
  }
  const error = typeof json.error === 'string' ? json.error : `HTTP ${status}`;
  if (status === 200) return { kind: 'stored', accepted: Number(json.accepted ?? 0), duplicates: Number(json.duplicates ?? 0) };
  if (status === 409) return { kind: 'replayed' };
  if (status === 401) return { kind: 'unauthorized', error };
  if (status === 429 || status >= 500 || status === 408) return { kind: 'retry', status, error, retryAfterMs: retryAfter(headers.get('retry-after')) };
  const field = /^(events\[\d+\][^:\s]*|[a-z_]+)(?=:)/.exec(error)?.[1] ?? null;
  return { kind: 'refused', status, error, field };
}

/** The signed ping (an empty events array) used by `login` and `status`. */
export function ping(login: Login, fetchImpl?: FetchLike): Promise<SendResult> {
  return postBatch(login, '{"events":[]}', fetchImpl);
}

/** Which event of a batch a 400 names (`events[3].input_tokens` → 3). */
export function eventIndexOf(field: string | null): number | null {
  const m = field ? /^events\[(\d+)\]/.exec(field) : null;
  return m ? Number(m[1]) : null;
}
