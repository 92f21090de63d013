// `npm run bench -- startup`: milliseconds from process spawn to a 200 from /healthz, for a
// first start (creates and migrates the database) and a restart, next to a bare node:http
// server answering the same URL (the floor: Node's own start-up). Target ≤ 2,000 ms.
import { spawn } from 'node:child_process';
import { ensureBuilt, figure, freePort, tempDataDir } from './_lib.ts';

const BARE = `require('node:http').createServer((q, s) => { s.setHeader('content-type','application/json'); s.end('{"ok":true}'); }).listen(+process.env.P, '127.0.0.1')`;

async function timeToHealthy(args: string[], env: Record<string, string>, port: number): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH!, ...env }, stdio: 'ignore' });
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status === 200) return performance.now() - start;
      } catch { /* not listening yet */ }
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
      if (performance.now() - start > 30_000) throw new Error('no 200 from /healthz within 30 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await new Promise<void>((ok) => { if (child.exitCode !== null) ok(); else { child.once('exit', () => ok()); child.kill('SIGTERM'); } });
  }
}

export default async function startup(): Promise<void> {
  const cli = ensureBuilt();
  const runs = 5;
  const first: number[] = [];
  const warm: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = tempDataDir();
    const port = await freePort();
    const env = { TOKENBOARD_SERVER_DATA_DIR: dir, TOKENBOARD_SERVER_PORT: String(port), TOKENBOARD_SERVER_HOST: '127.0.0.1' };
    first.push(await timeToHealthy([cli, 'serve'], env, port));
    warm.push(await timeToHealthy([cli, 'serve'], env, port));
    const bp = await freePort();
    bare.push(await timeToHealthy(['-e', BARE], { P: String(bp) }, bp));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = med(bare);
  figure('startup', 'first_start_ms', { value: Math.round(med(first)), baseline: Math.round(base), baseline_name: 'bare node:http server', ratio: +(med(first) / base).toFixed(2), target: 2000, runs });
  figure('startup', 'restart_ms', { value: Math.round(med(warm)), baseline: Math.round(base), baseline_name: 'bare node:http server', ratio: +(med(warm) / base).toFixed(2), target: 2000, runs });
}
