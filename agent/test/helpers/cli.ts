// Runs the agent CLI (agent/main.ts through tsx) as a separate process with a clean
// environment: only the variables given, HOME pointing at a fixture home.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../main.ts', import.meta.url));

export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import=tsx', MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b; });
    child.stderr.on('data', (b: Buffer) => { stderr += b; });
    child.on('error', reject);
    // 'close', not 'exit': the output pipes may still hold the last lines when the process exits.
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
