// A fake AI provider on 127.0.0.1 (the only thing faked: the providers are outside the
// product). Each route answers with canned bytes; every request is recorded.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: Buffer;
}

export type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

export interface FakeUpstream {
  url: string;
  port: number;
  seen: Seen[];
  routes: Map<string, Handler>;
  close(): Promise<void>;
}

export async function fakeUpstream(routes: Record<string, Handler> = {}): Promise<FakeUpstream> {
  const seen: Seen[] = [];
  const table = new Map(Object.entries(routes));
  const server = http.createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
      seen.push(s);
      const path = (req.url ?? '').split('?')[0];
      const h = table.get(`${req.method} ${path}`) ?? table.get(path);
      if (!h) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"no such fake route"}');
        return;
      }
      Promise.resolve(h(s, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, port, seen, routes: table,
    close: () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); }),
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };
}

/** Writes each part as its own chunk, yielding to the event loop in between. */
export function chunks(contentType: string, parts: string[], headers: Record<string, string> = {}): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': contentType, ...headers });
    for (const p of parts) {
      res.write(p);
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  };
}

export function sse(events: Array<{ event?: string; data: unknown }>, headers: Record<string, string> = {}): Handler {
  return chunks('text/event-stream', events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`), headers);
}

export async function waitFor<T>(get: () => T | undefined | null | false, what = 'condition', limitMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
