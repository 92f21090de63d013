// ccusage, the pinned version (scripts/cached-install.ts, installed on demand into .bench/),
// run as the comparison tests run it: one tool's daily totals over a home, offline.
import { spawnSync } from 'node:child_process';
import { CCUSAGE_VERSION, pinnedCcusage } from '../../../scripts/cached-install.ts';

export { CCUSAGE_VERSION };

export interface CcTotals { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number; totalTokens: number }

export function ccusage(): string {
  const bin = pinnedCcusage();
  if (!bin) throw new Error(`could not install ccusage@${CCUSAGE_VERSION} from the npm registry into .bench/`);
  return bin;
}

/** `ccusage <tool> daily --json --offline` with HOME at `home`: its totals. */
export function ccTotals(bin: string, tool: string, home: string): CcTotals {
  const r = spawnSync(bin, [tool, 'daily', '--json', '--offline'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ccusage ${tool}: ${r.stderr}`);
  return JSON.parse(r.stdout).totals as CcTotals;
}
