// `tokenboard serve` as a process of its own (a replica): started from src/ with tsx on a
// given port, its log kept, ready once GET /readyz says so, killable with any signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.ts';

export interface Replica {
  name: string;
  port: number;
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote to stderr (the server logs there). */
  log(): string;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  exited: Promise<number | string | null>;
  /** Listening and GET /readyz answered 200; rejects when the process exits first. */
  ready(): Promise<void>;
  /** Sends the signal and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startReplica(name: string, port: number, env: Record<string, string>): Replica {
  const child = spawn(process.execPath, ['--import=tsx', join(ROOT, 'src/cli.ts'), 'serve'], {
    env: { PATH: process.env.PATH!, ...env, TOKENBOARD_SERVER_HOST: '127.0.0.1', TOKENBOARD_SERVER_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => { gone = true; });
  return {
    name, port, url, pid: child.pid!, child, exited,
    log: () => log,
    async ready() {
      for (;;) {
        if (gone) throw new Error(`replica ${name} exited before it was ready (${await exited}): ${log.slice(-2000)}`);
        // /readyz answers as soon as the port listens; the start (first-start admin, first
        // housekeeping) is over when serve logs that it listens.
        const res = await fetch(`${url}/readyz`).catch(() => null);
        if (res?.status === 200 && /tokenboard listening/.test(log)) return;
        await res?.text();
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill(signal = 'SIGTERM') {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
}
