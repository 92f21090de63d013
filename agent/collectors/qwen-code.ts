// Qwen Code (QwenLM/qwen-code, a Gemini CLI fork), FORMATS.md §8: <runtime dir>/projects/
// <sanitized cwd>/chats/<session id>.jsonl, one chat record per line. Assistant records
// (`type: "assistant"`) carry the API response's Gemini-style `usageMetadata`.
//
// Token semantics (Gemini's): `promptTokenCount` INCLUDES `cachedContentTokenCount`, so
// uncached input = prompt − cached (plus `toolUsePromptTokenCount`, as for Gemini CLI);
// `thoughtsTokenCount` is apart from `candidatesTokenCount` and belongs to output. (ccusage
// 20's Qwen adapter counts the cached tokens twice, in input and as cache reads.)
//
// Traps handled: `system` records (ui_telemetry) repeat the same counts as api_response
// events — only assistant records count; a record re-appended with the same uuid counts
// once; a half-written last line waits for the next scan.
import { basename, join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash } from '../ids.ts';
import { findFiles } from './files.ts';
import { cleanName, num, tsOf, type Collector, type ScanContext } from './context.ts';
import { o, safeParse, type Rec } from './json.ts';
import { readNewLines } from './incremental.ts';
import { EventSink } from './sink.ts';
import { pathList, unique } from './locations.ts';
import { providerOf } from './provider.ts';

/**
 * Qwen Code's data folders: QWEN_DATA_DIR (ccusage's variable, a comma list), else
 * QWEN_RUNTIME_DIR (where Qwen Code puts projects/ when set) and QWEN_HOME or ~/.qwen
 * (Qwen Code's own; %USERPROFILE%\.qwen on Windows).
 */
export function qwenRoots(env: Env, home: string): string[] {
  const given = pathList(env.QWEN_DATA_DIR);
  if (given.length) return given;
  return unique([...(env.QWEN_RUNTIME_DIR ? [env.QWEN_RUNTIME_DIR] : []), env.QWEN_HOME || join(home, '.qwen')]);
}

const NEEDLES = [Buffer.from('"usageMetadata"')];

/** The event of one chat record, or null when it is not an assistant response with usage. */
export function qwenEvent(rec: Rec, salt: Buffer, sessionFallback: string, fallbackTs: number): WireEvent | null {
  const u = o(rec.usageMetadata);
  if (rec.type !== 'assistant' || !u) return null;
  const prompt = num(u.promptTokenCount);
  const cached = Math.min(prompt, num(u.cachedContentTokenCount));
  let output = num(u.candidatesTokenCount) + num(u.thoughtsTokenCount);
  const input = prompt - cached + num(u.toolUsePromptTokenCount);
  if (!input && !output && !cached) output = num(u.totalTokenCount);
  const ts = tsOf(rec.timestamp) ?? fallbackTs;
  const model = cleanName(rec.model);
  const rawSession = typeof rec.sessionId === 'string' && rec.sessionId ? rec.sessionId : sessionFallback;
  const uuid = typeof rec.uuid === 'string' && rec.uuid ? rec.uuid : null;
  return {
    ts, provider: providerOf(model, undefined, 'alibaba'), model, is_local: false,
    input_tokens: input, output_tokens: output, cache_read_tokens: cached, cache_write_tokens: 0,
    id: uuid ? eventId('qw', uuid) : eventId('qw', rawSession, ts, input, output, cached),
    source: 'qwen-code', session: sessionHash(salt, rawSession),
  };
}

export const qwenCode: Collector = {
  source: 'qwen-code',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const root of ctx.roots.qwen) {
      const files = findFiles(join(root, 'projects'), (n, rel) => n.endsWith('.jsonl') && /^[^/]+\/chats$/.test(rel));
      for (const file of files) {
        const fallback = basename(file.path, '.jsonl');
        readNewLines<Record<string, never>>(ctx, file, NEEDLES, () => ({}), (text) => {
          const rec = o(safeParse(text));
          if (rec) sink.add(qwenEvent(rec, ctx.salt, fallback, Math.floor(file.stat.mtimeMs)));
        });
      }
    }
    return sink.events();
  },
};
