// Roo Code (source `roo-code`): a fork of Cline with the same task store
// (<store>/tasks/<taskId>/ui_messages.json, read by cline-tasks.ts); Kilo Code's extension
// up to 5.x is a fork of Roo and shares everything here but its ids and dates.
//
// What `tokensIn` means changed with Roo 3.29.5 (RooCodeInc/Roo-Code#8954, released
// 2025-11-01): since then it is the whole prompt for every provider (`totalInputTokens`
// = input + cache writes + cache reads for the Anthropic protocol, the provider's total for
// the OpenAI one); before, Anthropic-protocol requests recorded the uncached remainder and
// OpenAI-protocol ones the total. The row says which protocol (`apiProtocol`, since July
// 2025) but not which version wrote it, so: tokensIn below cacheReads + cacheWrites cannot
// include them; an Anthropic-protocol row dated before the release is the remainder;
// anything else includes the cache, which is taken out again.
//
// The UI rows carry no model. Each request's prompt does, in its environment details
// (`<model>…</model>` in a user message of api_conversation_history.json, stamped with
// `ts` just after the request's row): a row's model is the first one stamped at or after
// it and before the next row, else the last one before it. No provider is recorded; it is
// named from the model id (provider.ts). Checkpoint restores write `api_req_deleted`.
//
// Locations: globalStorage/rooveterinaryinc.roo-cline of every VS Code-family editor (and
// profile), the `roo-cline.customStoragePath` setting of each, and the Roo CLI's
// ~/.vscode-mock/global-storage.
import { join } from 'node:path';
import type { Env } from '../config.ts';
import { readWhole } from './files.ts';
import { tsOf, type Collector, type ScanContext, type Source } from './context.ts';
import { o, safeParse } from './json.ts';
import { scanTasks, type TaskFlavor, type UsageRow } from './cline-tasks.ts';
import { editorUserDirs, extensionStores, type EditorRoots } from './vscode-dirs.ts';
import { providerOf } from './provider.ts';

export function rooCodeRoots(env: Env, home: string, platform: NodeJS.Platform = process.platform): EditorRoots {
  return { editors: editorUserDirs(env, home, platform), stores: [join(home, '.vscode-mock', 'global-storage')] };
}

const MODEL_RE = /<model>([^<]{1,200})<\/model>/g;

/** [ts | null, model] from the environment details of each user message, in order. */
export function promptModels(history: unknown): [number | null, string][] {
  if (!Array.isArray(history)) return [];
  const out: [number | null, string][] = [];
  for (const m of history) {
    const msg = o(m);
    if (!msg || msg.role !== 'user') continue;
    const blocks = typeof msg.content === 'string' ? [msg.content] : Array.isArray(msg.content) ? msg.content.map((b) => o(b)?.text) : [];
    let model: string | null = null;
    for (const text of blocks) {
      if (typeof text !== 'string' || !text.includes('<environment_details>')) continue;
      for (const hit of text.matchAll(MODEL_RE)) model = hit[1].trim() || model;
    }
    if (model) out.push([tsOf(msg.ts), model]);
  }
  return out;
}

/** The model of the request whose row is at `ts` (the next row at `next`). */
export function modelAt(models: [number | null, string][], ts: number, next: number): string {
  const stamped = models.filter((m): m is [number, string] => m[0] !== null);
  if (!stamped.length) return models.at(-1)?.[1] ?? 'unknown';
  return stamped.find((m) => m[0] >= ts && m[0] < next)?.[1] ?? stamped.filter((m) => m[0] <= ts).at(-1)?.[1] ?? 'unknown';
}

/** The task flavor Roo Code and its fork Kilo Code share; `since` is the first release whose tokensIn is the whole prompt. */
export function rooFlavor(source: Source, prefix: string, since: number): TaskFlavor {
  return {
    source, prefix,
    usageSays: new Set(['api_req_started']),
    aggregateSay: 'api_req_deleted',
    who(taskDir: string, rows: UsageRow[]) {
      let models: [number | null, string][] | null = null;
      const times = rows.map((r) => r.ts).sort((a, b) => a - b);
      return (row) => {
        models ??= promptModels(safeParse(readWhole(join(taskDir, 'api_conversation_history.json'))));
        const next = times.find((t) => t > row.ts) ?? Infinity;
        const model = modelAt(models, row.ts, next);
        const protocol = row.info.apiProtocol ?? row.msg.apiProtocol;
        return { model, provider: providerOf(model), isLocal: false, includesCache: protocol !== 'anthropic' || row.ts >= since };
      };
    },
  };
}

const ROO_TOTAL_INPUT_SINCE = Date.UTC(2025, 10, 1); // 3.29.5, 2025-11-01

export const rooCode: Collector = {
  source: 'roo-code',
  scan(ctx: ScanContext) {
    return scanTasks(ctx, rooFlavor('roo-code', 'rc', ROO_TOTAL_INPUT_SINCE), extensionStores(ctx.roots.rooCode, 'rooveterinaryinc.roo-cline', 'roo-cline.customStoragePath'));
  },
};
