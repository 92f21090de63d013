// Tools that benches and tests need but that cannot be devDependencies (ccusage's lock entry
// names platform packages this registry does not serve; a Node 22 binary is one package per
// platform) are installed on demand, pinned, into the git-ignored .bench/<name>/ and reused.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../src/paths.ts';

/**
 * The path of `bin` (relative to the install folder) after `npm install spec` into
 * .bench/<name>/, installing only when it is not there yet; null when npm could not.
 * Test files run in parallel workers and may ask for the same tool at once on a fresh
 * checkout: each installs into a folder of its own and renames it into place, so a caller
 * never sees another one's half-done install (the first rename wins; the others' copies go).
 */
export function cachedInstall(name: string, spec: string, bin: string): string | null {
  const prefix = join(ROOT, '.bench', name);
  const path = join(prefix, bin);
  if (existsSync(path)) return path;
  const own = `${prefix}.installing-${process.pid}-${Date.now()}`;
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', own, spec], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status === 0 && existsSync(join(own, bin))) {
    try {
      if (existsSync(prefix) && !existsSync(path)) rmSync(prefix, { recursive: true, force: true }); // a broken leftover
      renameSync(own, prefix);
    } catch {
      // Another caller's install got there first.
    }
  }
  rmSync(own, { recursive: true, force: true });
  return existsSync(path) ? path : null;
}

/** The ccusage the collector bench and the CLI-tool comparison test measure against (pinned). */
export const CCUSAGE_VERSION = '20.0.24';

export function pinnedCcusage(): string | null {
  return cachedInstall('ccusage', `ccusage@${CCUSAGE_VERSION}`, 'node_modules/.bin/ccusage');
}
