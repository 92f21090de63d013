// Outbound calls to the providers' Admin APIs, with got: retries with backoff on network
// errors, 429 and 5xx, honouring retry-after. Errors name the provider and the status,
// never the key.
import got, { HTTPError, RequestError, type Got } from 'got';

export class ImportError extends Error {
  constructor(message: string, readonly status: number | null = null) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ClientOptions {
  provider: 'Anthropic' | 'OpenAI';
  baseUrl: string;
  headers: Record<string, string>;
  /** Told about each retry (for progress lines); never gets the key. */
  onRetry?: (info: { attempt: number; status: number | null }) => void;
  retryLimit?: number;
}

export function createClient(o: ClientOptions): Got {
  return got.extend({
    prefixUrl: o.baseUrl.replace(/\/+$/, ''),
    headers: { ...o.headers, 'user-agent': 'tokenboard-import' },
    responseType: 'json',
    timeout: { request: 60_000 },
    retry: {
      limit: o.retryLimit ?? 5,
      methods: ['GET'],
      statusCodes: [408, 429, 500, 502, 503, 504],
      maxRetryAfter: 120_000,
      backoffLimit: 30_000,
    },
    hooks: {
      beforeRetry: [(error, count) => o.onRetry?.({ attempt: count, status: (error as RequestError).response?.statusCode ?? null })],
    },
  });
}

/** Turns a got failure into one clear line. */
export function explain(provider: string, err: unknown): ImportError {
  if (err instanceof ImportError) return err;
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const body = err.response.body as { error?: { message?: unknown } } | undefined;
    const detail = typeof body?.error?.message === 'string' ? `: ${body.error.message.slice(0, 200)}` : '';
    if (status === 401 || status === 403) {
      return new ImportError(`${provider} refused the admin key (${status}${detail}); check it is an organization Admin key with usage access`, status);
    }
    return new ImportError(`${provider} answered ${status}${detail}`, status);
  }
  const e = err as { code?: string; message?: string };
  return new ImportError(`${provider} could not be reached (${e.code ?? e.message ?? 'network error'})`);
}
