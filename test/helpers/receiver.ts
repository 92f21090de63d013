// Loopback stand-ins for Slack and for a webhook consumer: each records every request
// (path, headers, raw body) and answers what `answer` says for the n-th request (1-based):
// a status, or 'hang' to keep the request open (a receiver that never answers).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { n: number; path: string; headers: IncomingHttpHeaders; body: string; json: any }

export interface Receiver {
  url: string;
  requests: Received[];
  /** Requests whose JSON body has this `type` (webhooks). */
  ofType(type: string): Received[];
  /** Resolves once `predicate` holds (checked as requests arrive and every 50 ms), or fails after `ms`. */
  until(predicate: (r: Received[]) => boolean, what: string, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function receiver(answer: (n: number, r: Received) => number | 'hang' = () => 200): Promise<Receiver> {
  const requests: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: any = null;
      try { json = JSON.parse(body); } catch { /* not JSON */ }
      const r: Received = { n: requests.length + 1, path: req.url ?? '', headers: req.headers, body, json };
      requests.push(r);
      const a = answer(r.n, r);
      if (a === 'hang') { hanging.push(res); return; }
      res.statusCode = a;
      res.end(a >= 200 && a < 300 ? 'ok' : `status ${a}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    ofType: (type) => requests.filter((r) => r.json?.type === type),
    async until(predicate, what, ms = 30_000) {
      const end = Date.now() + ms;
      while (!predicate(requests)) {
        if (Date.now() > end) throw new Error(`receiver: timed out waiting for ${what}; got ${requests.length} requests: ${requests.map((r) => r.json?.type ?? r.body.slice(0, 60)).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
