// Factory Droid (`droid`): <sessions>/<project>/<session id>.settings.json, rewritten whole
// as the session runs, holds one running total for the session in `tokenUsage`
// {inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, thinkingTokens}
// (plus `model`, `providerLock`, `providerLockTimestamp`). The transcript beside it
// (<session id>.jsonl) is read only when the settings name no model, and then only for the
// "Model: …" line Droid writes into it.
//
// Counts: input is uncached (cache reads and writes are their own fields); thinking is kept
// apart from output, and goes into it (DESIGN: output includes reasoning); a file with only
// `totalTokens` gives what the parts do not explain as output (ccusage's rule).
//
// Traps: the totals are cumulative (cumulative.ts: one event per increase); the same
// session id in two files (an archived copy holding an older total) is one series, the
// larger total wins; a file caught half-written does not parse and is read again next scan.
// The time of an increase is the file's mtime (when that total was written), never before
// `providerLockTimestamp` (when the session chose its provider; a copy can rewind mtime).
//
// Where: ~/.factory/sessions on every OS (Droid keeps ~/.factory under the home directory,
// %USERPROFILE% on Windows); DROID_SESSIONS_DIR (ccusage's override, a comma list) replaces it.
import { basename, join } from 'node:path';
import type { Env } from '../config.ts';
import type { WireEvent } from '../wire.ts';
import { sessionHash } from '../ids.ts';
import { findFiles, readHead, readWhole, unchanged } from './files.ts';
import { cleanName, num, tsOf, type Collector, type ScanContext } from './context.ts';
import { o, safeParse } from './json.ts';
import { pathList } from './locations.ts';
import { largestPerSeries, RunningTotals, type Counts, type Snapshot } from './cumulative.ts';
import { providerOf } from './provider.ts';

export function droidRoots(env: Env, home: string): string[] {
  const given = pathList(env.DROID_SESSIONS_DIR);
  return given.length ? given : [join(home, '.factory', 'sessions')];
}

const SUFFIX = '.settings.json';

/**
 * Droid's model labels ("custom:Claude-Opus-4.5-Thinking-[Anthropic]-0") as model ids the
 * price table can match ("claude-opus-4-5-thinking-0"): no "custom:" prefix, no bracketed
 * vendor, lower case, dots and spaces as dashes.
 */
export function droidModel(label: string): string {
  return label.replace(/^custom:/, '').replace(/\[[^\]]*\]/g, '').trim().toLowerCase()
    .replace(/[.\s-]+/g, '-').replace(/^-+|-+$/g, '');
}

const PROVIDERS: Record<string, string> = { claude: 'anthropic', anthropic: 'anthropic', openai: 'openai', google: 'google', gemini: 'google', vertex: 'google', vertex_ai: 'google', xai: 'xai', x_ai: 'xai', grok: 'xai' };

export function droidCounts(u: Record<string, unknown>): Counts {
  const input = num(u.inputTokens);
  let output = num(u.outputTokens) + num(u.thinkingTokens);
  const write = num(u.cacheCreationTokens);
  const read = num(u.cacheReadTokens);
  const unexplained = num(u.totalTokens) - (input + output + write + read);
  if (unexplained > 0) output += unexplained;
  return [input, output, read, write, 0];
}

/** The model named in the transcript's "Model: …" line (first 256 KB), for settings without one. */
function sidecarModel(settingsPath: string): string {
  const head = readHead(`${settingsPath.slice(0, -SUFFIX.length)}.jsonl`, 256 * 1024);
  const m = /Model:\s*([^"\\[\n]+)/.exec(head);
  return m ? droidModel(m[1]) : '';
}

export const droid: Collector = {
  source: 'droid',
  scan(ctx: ScanContext): WireEvent[] {
    const snaps: Snapshot[] = [];
    for (const root of ctx.roots.droid) {
      for (const { path, stat } of findFiles(root, (n) => n.endsWith(SUFFIX))) {
        const cursor = ctx.cursors.get(path);
        if (unchanged(cursor, stat)) continue;
        const settings = o(safeParse(readWhole(path)));
        if (!settings) continue; // half-written (Droid rewrites it whole): read again next scan
        ctx.cursors.set(path, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size });
        const usage = o(settings.tokenUsage);
        if (!usage) continue;
        const id = basename(path).slice(0, -SUFFIX.length);
        const model = typeof settings.model === 'string' && settings.model.trim() ? droidModel(settings.model) : sidecarModel(path);
        const lock = typeof settings.providerLock === 'string' ? PROVIDERS[settings.providerLock.trim().toLowerCase().replace(/-/g, '_')] ?? cleanName(settings.providerLock) : null;
        const lockTs = tsOf(settings.providerLockTimestamp);
        snaps.push({
          series: id, counts: droidCounts(usage),
          ts: Math.max(Math.floor(stat.mtimeMs), lockTs ?? 0),
          provider: lock ?? providerOf(model), model: cleanName(model),
          session: sessionHash(ctx.salt, id),
        });
      }
    }
    const totals = new RunningTotals(ctx, 'droid', 'dr');
    return largestPerSeries(snaps).flatMap((s) => totals.advance(s));
  },
};
