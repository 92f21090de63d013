// A TCP relay in front of one replica, between nginx and it. `hold()` stops passing the
// replica's answers back (they are counted and dropped): the replica has done the work and
// committed, but nobody learns of it, which is what a crash right after COMMIT looks like
// from outside. `cut()` then resets every held connection, as the dead process would.
import net from 'node:net';

export interface TcpGate {
  port: number;
  /** Answers dropped while held, by HTTP status. */
  swallowed: Map<number, number>;
  hold(): void;
  /** Resets every connection and passes answers through again. */
  cut(): void;
  close(): Promise<void>;
}

export async function tcpGate(targetPort: number): Promise<TcpGate> {
  const swallowed = new Map<number, number>();
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let held = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => { pairs.delete(pair); client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (d: Buffer) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      if (!held) { client.write(d); return; }
      // Small answers: each starts in a chunk of its own with its status line.
      for (const m of d.toString('latin1').matchAll(/HTTP\/1\.1 (\d{3}) /g)) swallowed.set(Number(m[1]), (swallowed.get(Number(m[1])) ?? 0) + 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    swallowed,
    hold() { held = true; },
    cut() {
      for (const { client, upstream } of pairs) { client.resetAndDestroy(); upstream.destroy(); }
      pairs.clear();
      held = false;
    },
    close: () => new Promise<void>((r) => {
      for (const { client, upstream } of pairs) { client.destroy(); upstream.destroy(); }
      server.close(() => r());
    }),
  };
}
