// Grok Build (xAI's coding CLI), FORMATS.md §8 / ccusage's grok adapter: <grok home>/sessions/
// <url-encoded workspace>/<session id>/updates.jsonl, the session's ACP-style updates
// (`params.update.sessionUpdate`), appended as it runs. Each `turn_completed` update carries
// the turn's usage — `inputTokens`, `outputTokens`, `cachedReadTokens`, `reasoningTokens`,
// `totalTokens` — split per model in `modelUsage`; `_meta.eventId` names the update. The
// turn is the finest grain recorded locally: one event per turn and model.
//
// Token semantics: `inputTokens` includes `cachedReadTokens` (and cache writes where
// recorded): they are subtracted. Whether `reasoningTokens` is inside `outputTokens` is told
// by `totalTokens`: equal to input + output means inside (tokscale's reading of real logs,
// and the default when no total is written); input + output + reasoning means apart, and
// then it is added to output. (ccusage 20 keeps input whole and adds reasoning always.)
// Traps: other updates (tool calls) carry running `totalTokens` counters — not usage;
// zero-count models are skipped; a half-written last line waits.
import { basename, dirname, join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash } from '../ids.ts';
import { findFiles, readWhole } from './files.ts';
import { cleanName, num, type Collector, type ScanContext } from './context.ts';
import { o, safeParse, type Rec } from './json.ts';
import { readNewLines } from './incremental.ts';
import { EventSink } from './sink.ts';
import { epochMs } from './time.ts';
import { pathList } from './locations.ts';

/** Grok Build's homes: GROK_HOME (a comma list, as ccusage reads it), else ~/.grok (the same under the user profile on every OS). */
export function grokRoots(env: Env, home: string): string[] {
  const given = pathList(env.GROK_HOME);
  return given.length ? given : [join(home, '.grok')];
}

const NEEDLES = [Buffer.from('"turn_completed"')];

/** One model's counts under our counting rules; null when it has none. */
export function grokCounts(u: Rec): [number, number, number, number] | null {
  const input = num(u.inputTokens);
  let output = num(u.outputTokens);
  const read = num(u.cachedReadTokens) || num(u.cacheReadTokens);
  const write = num(u.cachedWriteTokens) || num(u.cacheWriteTokens) || num(u.cacheCreationTokens);
  const reasoning = num(u.reasoningTokens);
  const total = num(u.totalTokens);
  if (reasoning && total && total === input + output + reasoning) output += reasoning;
  const uncached = read + write <= input ? input - read - write : input;
  return uncached + output + read + write > 0 ? [uncached, output, read, write] : null;
}

function summaryModel(dir: string): string | undefined {
  const m = o(safeParse(readWhole(join(dir, 'summary.json'))))?.current_model_id;
  return typeof m === 'string' && m ? m : undefined;
}

export const grok: Collector = {
  source: 'grok',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const root of ctx.roots.grok) {
      const sessions = findFiles(join(root, 'sessions'), (n) => n === 'updates.jsonl');
      for (const file of sessions) {
        const dir = dirname(file.path);
        let fallbackModel: string | undefined;
        readNewLines<Record<string, never>>(ctx, file, NEEDLES, () => ({}), (text) => {
          const line = o(safeParse(text));
          const params = o(line?.params);
          const update = o(params?.update);
          const usage = o(update?.usage);
          if (!line || update?.sessionUpdate !== 'turn_completed' || !usage) return;
          const rawSession = typeof params!.sessionId === 'string' && params!.sessionId ? params!.sessionId : basename(dir);
          const meta = o(params!._meta)?.eventId;
          const updateId = typeof meta === 'string' && meta ? meta : null;
          const ts = epochMs(line.timestamp) ?? Math.floor(file.stat.mtimeMs);
          const perModel = o(usage.modelUsage);
          const rows: [string, Rec][] = perModel && Object.keys(perModel).length
            ? Object.entries(perModel).flatMap(([m, r]) => (o(r) ? [[m, o(r)!] as [string, Rec]] : []))
            : [[(fallbackModel ??= summaryModel(dir) ?? 'unknown'), usage]];
          for (const [model, r] of rows) {
            const n = grokCounts(r);
            if (!n) continue;
            sink.add({
              ts, provider: 'xai', model: cleanName(model), is_local: false,
              input_tokens: n[0], output_tokens: n[1], cache_read_tokens: n[2], cache_write_tokens: n[3],
              id: updateId ? eventId('gk', updateId, model) : eventId('gk', rawSession, ts, model, ...n),
              source: 'grok', session: sessionHash(ctx.salt, rawSession),
            });
          }
        });
      }
    }
    return sink.events();
  },
};
