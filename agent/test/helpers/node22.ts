// Running the agent where node:sqlite exists: the bundle (as users run it) or one scan with
// the saved cursors (helpers/child-scan.ts), under the Node of helpers/node-sqlite.ts.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { WireEvent } from '../../wire.ts';
import { MAIN } from './cli.ts';
import { nodeWithSqlite } from './node-sqlite.ts';
import { tempDir } from './tmp.ts';

const CHILD_SCAN = fileURLToPath(new URL('./child-scan.ts', import.meta.url));

export function runNode(node: string, args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(node, args, { env: { PATH: process.env.PATH ?? '', ...env }, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

export const lines = (out: string): WireEvent[] => (out.trim() ? out.trim().split('\n').map((l) => JSON.parse(l) as WireEvent) : []);

let bundled: Promise<string> | null = null;
/** The agent bundled into one file, once per test process. */
export function agentBundle(): Promise<string> {
  bundled ??= (async () => {
    const out = join(tempDir(), 'tokenboard-agent.mjs');
    await build({ entryPoints: [MAIN], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
    return out;
  })();
  return bundled;
}

/** One scan of `home` with the cursors in `state`, committed, under a Node with node:sqlite. */
export async function scanWithSqlite(home: string, state: string, aheadMs = 0): Promise<WireEvent[]> {
  return lines((await runNode(nodeWithSqlite(), ['--import=tsx', CHILD_SCAN, home, state, String(aheadMs)])).stdout);
}
