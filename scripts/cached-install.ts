// Tools that benches and tests need but that cannot be devDependencies (ccusage's lock entry
// names platform packages this registry does not serve; a Node 22 binary is one package per
// platform) are installed on demand, pinned, into the git-ignored .bench/<name>/ and reused.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../src/paths.ts';

/**
 * The path of `bin` (relative to the install folder) after `npm install spec` into
 * .bench/<name>/, installing only when it is not there yet; null when npm could not.
 */
export function cachedInstall(name: string, spec: string, bin: string): string | null {
  const prefix = join(ROOT, '.bench', name);
  const path = join(prefix, bin);
  if (existsSync(path)) return path;
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, spec], { stdio: ['ignore', 'ignore', 'inherit'] });
  return r.status === 0 && existsSync(path) ? path : null;
}

/** The ccusage the collector bench and the CLI-tool comparison test measure against (pinned). */
export const CCUSAGE_VERSION = '20.0.24';

export function pinnedCcusage(): string | null {
  return cachedInstall('ccusage', `ccusage@${CCUSAGE_VERSION}`, 'node_modules/.bin/ccusage');
}
