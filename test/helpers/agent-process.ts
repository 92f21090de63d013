// The real agent as a person runs it: the bundle downloaded from the server
// (GET /agent/tokenboard-agent.mjs), run with `node` in a HOME and state dir of its own,
// with nothing of the test's environment but PATH.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './app.ts';

export interface AgentHome {
  home: string;
  file: string;
  env: Record<string, string>;
  /** Runs one agent command to its end. */
  run(args: string[], extraEnv?: Record<string, string>): Promise<{ code: number | null; out: string; err: string }>;
  /** Starts a long-running command (`proxy`, `run`); resolves once its stderr matched `readyLine`. */
  start(args: string[], extraEnv: Record<string, string>, readyLine: RegExp): Promise<{ child: ChildProcess; log(): string; stop(): Promise<void> }>;
}

export async function downloadAgent(serverUrl: string): Promise<AgentHome> {
  const res = await fetch(`${serverUrl}/agent/tokenboard-agent.mjs`);
  if (res.status !== 200) throw new Error(`GET /agent/tokenboard-agent.mjs answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const home = tempDir('tb-agent-home-');
  const file = join(home, 'tokenboard-agent.mjs');
  writeFileSync(file, await res.text());
  const env = { PATH: process.env.PATH!, HOME: home, TOKENBOARD_STATE_DIR: join(home, 'state') };
  return {
    home, file, env,
    run(args, extraEnv = {}) {
      const child = spawn(process.execPath, [file, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
    },
    async start(args, extraEnv, readyLine) {
      const child = spawn(process.execPath, [file, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (b: Buffer) => {
          log += b.toString();
          if (readyLine.test(log)) resolve();
        });
        child.once('exit', (code) => reject(new Error(`agent ${args[0]} exited (${code}) before it was ready: ${log}`)));
      });
      return {
        child,
        log: () => log,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    },
  };
}
