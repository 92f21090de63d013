// Outbound calls to the vendors' usage APIs, with got: retries with backoff on network
// errors, 429 and 5xx, honouring retry-after. Every call these imports make only reads,
// including the POSTs of Cursor's usage endpoints, so POSTs are retried too (got retries
// only GETs by default). Errors name the vendor and the status, never the key.
import got, { HTTPError, RequestError, type Got, type RetryObject } from 'got';

export class ImportError extends Error {
  constructor(message: string, readonly status: number | null = null) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ClientOptions {
  /** The vendor's name in messages ('Anthropic', 'Cursor', 'GitHub'). */
  provider: string;
  baseUrl: string;
  headers: Record<string, string>;
  /** Told about each retry (for progress lines); never gets the key. */
  onRetry?: (info: { attempt: number; status: number | null }) => void;
  retryLimit?: number;
  /**
   * After the first 429 of a run, space requests at least this far apart: a per-minute
   * limit (Cursor: 20 requests a minute per team) is better kept than hit again.
   */
  paceAfter429Ms?: number;
  /** Overrides the delay got computed for a retry (0: do not retry); for vendor-specific limits. */
  retryDelay?: (r: RetryObject) => number;
  /** Extra status codes worth a look by retryDelay (GitHub's rate limits can be 403s). */
  extraRetryStatuses?: number[];
}

export function createClient(o: ClientOptions): Got {
  let pace = 0;
  let last = 0;
  return got.extend({
    prefixUrl: o.baseUrl.replace(/\/+$/, ''),
    headers: { 'user-agent': 'tokenboard-import', ...o.headers },
    responseType: 'json',
    timeout: { request: 60_000 },
    retry: {
      limit: o.retryLimit ?? 5,
      methods: ['GET', 'POST'],
      statusCodes: [408, 429, 500, 502, 503, 504, ...(o.extraRetryStatuses ?? [])],
      maxRetryAfter: 120_000,
      backoffLimit: 30_000,
      ...(o.retryDelay ? { calculateDelay: o.retryDelay } : {}),
    },
    hooks: {
      beforeRequest: [async () => {
        const wait = last + pace - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        last = Date.now();
      }],
      beforeRetry: [(error, count) => {
        const status = (error as RequestError).response?.statusCode ?? null;
        if (status === 429 && o.paceAfter429Ms) pace = o.paceAfter429Ms;
        o.onRetry?.({ attempt: count, status });
      }],
    },
  });
}

/** A client for signed download links: no key, no vendor headers, only plain GETs. */
export function downloadClient(): Got {
  return got.extend({
    headers: { 'user-agent': 'tokenboard-import' },
    responseType: 'text',
    timeout: { request: 120_000 },
    retry: { limit: 3, methods: ['GET'], statusCodes: [408, 429, 500, 502, 503, 504], backoffLimit: 10_000 },
  });
}

/** The vendor's own words from an error body: Anthropic/OpenAI {error:{message}}, Cursor {error, message}, GitHub {message}. */
function detailOf(body: unknown): string {
  if (typeof body === 'string') {
    try { return detailOf(JSON.parse(body)); } catch { return ''; }
  }
  const b = body as { error?: unknown; message?: unknown } | undefined;
  const nested = (b?.error as { message?: unknown } | undefined)?.message;
  const text = typeof nested === 'string' ? nested : typeof b?.message === 'string' ? b.message : typeof b?.error === 'string' ? b.error : '';
  // One line, short, and never anything that looks like a key a vendor echoed back.
  return text.replace(/\s+/g, ' ').replace(/\b(?:crsr_|key_|sk-|gh[opsu]_|github_pat_)[A-Za-z0-9_-]+/g, '[redacted]').slice(0, 200);
}

/**
 * Turns a got failure into one clear line. `refused` says what to check when the vendor
 * refuses the credentials (401, 403 that is not a rate limit).
 */
export function explain(provider: string, err: unknown, refused = 'check it is an organization Admin key with usage access', noun = 'admin key'): ImportError {
  if (err instanceof ImportError) return err;
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const text = detailOf(err.response.body);
    const detail = text ? `: ${text}` : '';
    const limited = status === 429 || err.response.headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(text);
    if (limited) return new ImportError(`${provider} rate limit reached (${status}${detail}); the import stopped and can be resumed later`, status);
    if (status === 401 || status === 403) return new ImportError(`${provider} refused the ${noun} (${status}${detail}); ${refused}`, status);
    return new ImportError(`${provider} answered ${status}${detail}`, status);
  }
  const e = err as { code?: string; message?: string };
  return new ImportError(`${provider} could not be reached (${e.code ?? e.message ?? 'network error'})`);
}
