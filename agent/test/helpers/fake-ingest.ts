// A stand-in ingest endpoint for the outbox's unit tests: checks the signature and the
// body with agent/wire.ts, then answers whatever the test scripts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkBatch, HEADER_SIG, HEADER_TS, HEADER_USER, signBody, type WireEvent } from '../../wire.ts';

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeIngest {
  url: string;
  /** Answers to give, in order; once used up every request is stored (200). */
  script: Answer[];
  /** Events of every batch answered 200, in order. */
  stored: WireEvent[][];
  requests: number;
  badSignatures: number;
  close(): Promise<void>;
}

export async function fakeIngest(user: number, token: string): Promise<FakeIngest> {
  const f = { script: [] as Answer[], stored: [] as WireEvent[][], requests: 0, badSignatures: 0 } as FakeIngest;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      f.requests++;
      const raw = Buffer.concat(chunks);
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const ts = String(req.headers[HEADER_TS]);
      if (req.headers[HEADER_USER] !== String(user) || req.headers[HEADER_SIG] !== signBody(token, ts, raw) || Math.abs(Number(ts) - Date.now()) > 60_000) {
        f.badSignatures++;
        reply(401, { error: 'bad signature' });
        return;
      }
      const check = checkBatch(JSON.parse(raw.toString()));
      if (!check.ok) {
        reply(check.tooMany ? 413 : 400, { error: check.error });
        return;
      }
      const next = f.script.shift();
      if (next) {
        reply(next.status, next.body ?? {}, next.headers);
        return;
      }
      f.stored.push(check.events);
      reply(200, { accepted: check.events.length, duplicates: 0 });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  f.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f.close = () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); });
  return f;
}
