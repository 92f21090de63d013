// wrapFetch(fetch): the SDK shim. Pass the result as the `fetch` option of the official
// OpenAI or Anthropic SDK (or call it directly); each response is handed back unchanged
// while a copy of its bytes goes through the same extractors as the proxy. Events go to
// the durable outbox under the state dir, where `run` (or `collect`) sends them.
import { extractorFor } from './proxy/extract/index.ts';
import { framingOf, UsageReader } from './proxy/reader.ts';
import { kindOf, type Provider } from './proxy/routes.ts';
import { countedByCollector, usageEvent, type EventSink } from './proxy/record.ts';
import { IdleSessions } from './sessions.ts';
import { Outbox } from './outbox.ts';
import { loadConfig } from './config.ts';

export interface WrapFetchOptions {
  /** Where events go; defaults to the outbox of TOKENBOARD_STATE_DIR (or the default state dir). */
  sink?: EventSink;
  /** Force the provider (for OpenAI-compatible services on other hosts). */
  provider?: Provider;
  /** Source label on the events (default `proxy`: the numbers are read from the wire). */
  source?: string;
}

type AnyFetch = (input: any, init?: any) => Promise<Response>;

function providerOfUrl(url: URL, path: string): { provider: Provider; isLocal: boolean } {
  const host = url.hostname;
  if (host.endsWith('anthropic.com') || path === '/v1/messages' || path.endsWith('/anthropic/v1/messages')) return { provider: 'anthropic', isLocal: false };
  if (host.endsWith('googleapis.com') || /:(stream)?generateContent$/i.test(path)) return { provider: 'google', isLocal: false };
  if (url.port === '11434' || path.startsWith('/api/') || path.startsWith('/ollama/')) return { provider: 'ollama', isLocal: true };
  return { provider: 'openai', isLocal: false };
}

/** The request's method and headers, whichever way fetch was called. */
function requestParts(input: unknown, init: { method?: string; headers?: HeadersInit } | undefined): { url: URL; method: string; headers: Record<string, string> } {
  const req = typeof Request !== 'undefined' && input instanceof Request ? input : null;
  const url = new URL(req ? req.url : input instanceof URL ? input.href : String(input));
  const method = (init?.method ?? req?.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  new Headers(init?.headers ?? req?.headers ?? undefined).forEach((v, k) => { headers[k] = v; });
  return { url, method, headers };
}

let defaultOutbox: Outbox | null = null;
function defaultSink(): EventSink {
  return (events) => {
    defaultOutbox ??= new Outbox(loadConfig().stateDir);
    defaultOutbox.append(events);
  };
}

export function wrapFetch<F extends AnyFetch>(fetchImpl: F = globalThis.fetch as F, options: WrapFetchOptions = {}): F {
  const sink = options.sink ?? defaultSink();
  const sessions = new IdleSessions();
  const wrapped = async (input: unknown, init?: any): Promise<Response> => {
    const res = await fetchImpl(input, init);
    let parts;
    try {
      parts = requestParts(input, init);
    } catch {
      return res;
    }
    // Strip a proxy-style prefix so /anthropic/v1/messages reads like /v1/messages.
    const path = parts.url.pathname.replace(/^\/(openai|anthropic|google|ollama)(?=\/)/, '');
    const { kind, pathModel } = kindOf(parts.method, path);
    if (!kind || !res.ok || !res.body || countedByCollector(parts.headers)) return res;
    const { provider, isLocal } = options.provider ? { provider: options.provider, isLocal: options.provider === 'ollama' } : providerOfUrl(parts.url, path);
    if (kind === 'ollama' && provider !== 'ollama') return res;
    // fetch has already undone any content-encoding, so the reader sees plain bytes.
    const reader = new UsageReader(extractorFor(kind, pathModel), framingOf(res.headers.get('content-type') ?? undefined));
    const tap = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        reader.feed(chunk);
      },
      flush() {
        // Never let bookkeeping break the caller's program: a failing sink loses one event.
        reader.finish().then((usage) => {
          if (usage) sink([usageEvent(provider, usage, { isLocal, now: Date.now(), sessions, source: options.source, fallbackModel: pathModel })]);
        }).catch(() => {});
      },
    });
    const out = new Response(res.body.pipeThrough(tap), { status: res.status, statusText: res.statusText, headers: res.headers });
    // The SDKs read these for error messages and retries; a new Response would lose them.
    Object.defineProperty(out, 'url', { value: res.url });
    Object.defineProperty(out, 'redirected', { value: res.redirected });
    return out;
  };
  return wrapped as unknown as F;
}
