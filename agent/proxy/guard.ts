// Who may use the local proxy. It listens on 127.0.0.1 only, but a web page can still
// reach it from the browser: directly (a cross-origin request carries an Origin header) or
// by DNS rebinding (its own host name resolving to 127.0.0.1: the Host header then names
// that host). Either would let a page spend key-less upstreams (Ollama, internal gateways)
// with the user's network position. So: the Host must be the loopback address and port
// the request came in on, a browser's Origin is refused unless allowed by name, and CORS
// preflights are refused (no Access-Control-Allow-* header is ever sent).
import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface Refusal { status: number; message: string }

/** Origins allowed by TOKENBOARD_PROXY_ALLOW_ORIGINS (comma-separated, exact, e.g. http://localhost:5173). */
export function allowedOrigins(raw: string | undefined): ReadonlySet<string> {
  return new Set((raw ?? '').split(',').map((s) => s.trim().replace(/\/+$/, '').toLowerCase()).filter(Boolean));
}

/** Splits a Host header into name and port (null when absent). */
function hostParts(host: string): { name: string; port: number | null } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!m) return { name: '', port: null };
  return { name: m[1], port: m[2] === undefined ? null : Number(m[2]) };
}

/** Why a request must not pass (null: it may). `port` is the port it arrived on. */
export function refusalOf(method: string, headers: IncomingHttpHeaders, port: number, origins: ReadonlySet<string>): Refusal | null {
  const host = hostParts(headers.host ?? '');
  if (!LOOPBACK.has(host.name) || (host.port ?? 80) !== port) {
    return { status: 421, message: `tokenboard proxy: requests must be addressed to 127.0.0.1:${port} or localhost:${port} (this Host is not the proxy)` };
  }
  if (method === 'OPTIONS' && headers['access-control-request-method'] !== undefined) {
    return { status: 403, message: 'tokenboard proxy: cross-origin requests from web pages are refused' };
  }
  const origin = headers.origin;
  if (origin !== undefined && !origins.has(origin.trim().replace(/\/+$/, '').toLowerCase())) {
    return { status: 403, message: 'tokenboard proxy: requests from web pages are refused; allow an origin with TOKENBOARD_PROXY_ALLOW_ORIGINS' };
  }
  return null;
}
