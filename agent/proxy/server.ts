// The local proxy: 127.0.0.1 only. Forwards each request verbatim (method, path, query,
// headers minus hop-by-hop, body) and pipes the response back chunk by chunk as it
// arrives, reading a copy of the bytes for the usage counts. Upstream status, headers
// and error bodies reach the client unchanged. Nothing is logged about keys, bodies or
// upstream URLs.
import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpModule, httpsModule } from '../lazy.ts';
import type { AddressInfo } from 'node:net';
import { extractorFor } from './extract/index.ts';
import { framingOf, UsageReader } from './reader.ts';
import { routeOf, targetOf, type Upstreams } from './routes.ts';
import { countedByCollector, usageEvent, type EventSink } from './record.ts';
import { IdleSessions } from '../sessions.ts';
import { refusalOf } from './guard.ts';

// RFC 9110 §7.6.1 connection-specific fields, plus the legacy ones proxies also drop.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface ProxyOptions {
  port: number;
  upstreams: Upstreams;
  sink: EventSink;
  /** Called with a short, secret-free line for problems worth a log line. */
  warn?: (line: string) => void;
  sessions?: IdleSessions;
  now?: () => number;
  /** Browser origins allowed to use the proxy (TOKENBOARD_PROXY_ALLOW_ORIGINS); none by default. */
  allowOrigins?: ReadonlySet<string>;
}

export interface RunningProxy {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Raw header pairs without hop-by-hop fields (and those named by Connection) or the ones we replace. */
function forwardHeaders(raw: string[], drop: Set<string>): string[] {
  const connection = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() === 'connection') for (const t of raw[i + 1].split(',')) connection.add(t.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(k) || connection.has(k) || drop.has(k)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

const DROP_REQUEST = new Set(['host']);
const KEEP_ALL = new Set<string>();

function jsonError(res: ServerResponse, status: number, message: string): void {
  if (res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { type: 'tokenboard_proxy_error', message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function createProxyHandler(opts: ProxyOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const http = httpModule();
  const https = httpsModule();
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
  const sessions = opts.sessions ?? new IdleSessions();
  const now = opts.now ?? Date.now;
  const warn = opts.warn ?? (() => {});
  const origins = opts.allowOrigins ?? new Set<string>();

  return (req, res) => {
    const method = req.method ?? 'GET';
    // Checked against the port this connection arrived on (the listening port, also when it was 0).
    const refused = refusalOf(method, req.headers, req.socket.localPort ?? opts.port, origins);
    if (refused) {
      jsonError(res, refused.status, refused.message);
      req.resume();
      return;
    }
    const route = routeOf(method, req.url ?? '/', req.headers);
    if (!route) {
      jsonError(res, 404, 'tokenboard proxy: no provider serves this path; use /v1/... as the provider documents, or the /openai, /anthropic, /google or /ollama prefix');
      req.resume();
      return;
    }
    let target;
    try {
      target = targetOf(opts.upstreams[route.provider], route.path);
    } catch {
      jsonError(res, 500, `tokenboard proxy: the ${route.provider} upstream setting is not a valid http(s) URL`);
      req.resume();
      return;
    }
    const headers = forwardHeaders(req.rawHeaders, DROP_REQUEST);
    headers.push('Host', target.host);
    const record = route.kind !== null && !countedByCollector(req.headers);

    const upReq = (target.protocol === 'https:' ? https : http).request({
      protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.path, method,
      headers: headers as unknown as http.OutgoingHttpHeaders, agent: agents[target.protocol], setHost: false,
    });
    upReq.on('socket', (s) => s.setNoDelay(true));

    upReq.on('response', (upRes) => {
      const status = upRes.statusCode ?? 502;
      res.writeHead(status, upRes.statusMessage, forwardHeaders(upRes.rawHeaders, KEEP_ALL));
      // A stream's headers go out at once (its first event may be a while); other answers
      // send them with the first body bytes, one write instead of two.
      if (upRes.headers['content-length'] === undefined) res.flushHeaders();
      const reader = record && status >= 200 && status < 300
        ? new UsageReader(extractorFor(route.kind!, route.pathModel), framingOf(upRes.headers['content-type']), upRes.headers['content-encoding'] as string | undefined)
        : null;
      if (reader) upRes.on('data', (chunk: Buffer) => reader.feed(chunk));
      upRes.pipe(res);
      upRes.on('end', () => {
        if (!reader) return;
        reader.finish().then((usage) => {
          if (usage) opts.sink([usageEvent(route.provider, usage, { isLocal: route.isLocal, now: now(), sessions, fallbackModel: route.pathModel })]);
        }).catch((err: Error) => warn(`proxy: could not queue a usage event: ${err.message}`));
      });
      upRes.on('error', () => res.destroy());
      // A response cut off upstream makes no event: 'end' never fires, and the client sees the cut.
      upRes.on('close', () => {
        if (!upRes.complete) res.destroy();
      });
    });
    upReq.on('error', (err: NodeJS.ErrnoException) => {
      if (res.destroyed) return; // the client left first; we cancelled the upstream request
      // Only the provider name and error code: the upstream URL may carry a key (Gemini's ?key=).
      warn(`proxy: ${route.provider} upstream error ${err.code ?? 'unknown'}`);
      jsonError(res, 502, `tokenboard proxy: cannot reach the ${route.provider} upstream (${err.code ?? 'connection error'})`);
    });
    res.on('close', () => {
      // The client went away before the response finished: stop the upstream request too.
      if (!res.writableFinished) upReq.destroy();
    });
    req.pipe(upReq);
  };
}

export function startProxy(opts: ProxyOptions, host = '127.0.0.1'): Promise<RunningProxy> {
  const server = httpModule().createServer({ noDelay: true, keepAliveTimeout: 65_000 }, createProxyHandler(opts));
  // Streams can run for minutes; Node's default request timeout would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        port, url: `http://${host}:${port}`,
        close: () => new Promise((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        }),
      });
    });
  });
}
