// A switchable front for an ingest server: down (connections dropped), 503, hold (the
// request reaches the server but the answer never comes back), or up (forwarded). It keeps
// every request body it saw, to check what left the agent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type GateMode = 'down' | 'error' | 'hold' | 'up';

export interface Gate {
  url: string;
  mode: GateMode;
  bodies: string[];
  /** Requests forwarded to the server (up or hold), and how many it has answered. */
  forwarded: number;
  answered: number;
  close(): Promise<void>;
}

export async function gate(target: () => string): Promise<Gate> {
  const g = { mode: 'up' as GateMode, bodies: [] as string[], forwarded: 0, answered: 0 } as Gate;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      g.bodies.push(body.toString());
      if (g.mode === 'down') {
        req.socket.destroy();
        return;
      }
      if (g.mode === 'error') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":"maintenance"}');
        return;
      }
      g.forwarded++;
      const hold = g.mode === 'hold';
      const up = http.request(`${target()}${req.url}`, { method: req.method, headers: req.headers }, (ures) => {
        g.answered++;
        if (hold) {
          ures.resume(); // stored upstream; the agent never hears back
          return;
        }
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        ures.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  g.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  g.close = () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); });
  return g;
}
