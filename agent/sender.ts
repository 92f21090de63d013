// Posts signed batches to POST /api/ingest (DESIGN "Ingest API") and says what the answer
// means for the queue. The signature is computed by agent/wire.ts, the one definition
// shared with the server.
import { signedHeaders } from './wire.ts';
import type { Login } from './config.ts';

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

function retryAfter(v: string | null): number | null {
  if (!v) return null;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

export async function postBatch(login: Login, body: string, fetchImpl: FetchLike = fetch as unknown as FetchLike): Promise<SendResult> {
  let status: number;
  let text = '';
  let headers: { get(name: string): string | null };
  try {
    const res = await fetchImpl(`${login.server}/api/ingest`, {
      method: 'POST', headers: signedHeaders(login.user, login.token, body), body, signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = res.status;
    headers = res.headers;
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { kind: 'retry', status: null, error: e.cause?.code ?? (e.name === 'TimeoutError' ? 'timeout' : e.message), retryAfterMs: null };
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
