// Cline (source `cline`), in its two formats:
// - classic tasks (the VS Code extension up to 4.0, JetBrains and the CLI before the SDK):
//   <store>/tasks/<taskId>/ui_messages.json, read by cline-tasks.ts. Besides one
//   `api_req_started` row per request there are `subagent_usage` rows (the summed usage of
//   a batch of subagents, which no api_req_started row repeats) and `deleted_api_reqs`
//   aggregates (checkpoint restores). `tokensIn` is the uncached remainder for most
//   providers; the OpenAI-compatible ones listed in TOTAL_INPUT pass `prompt_tokens` (cache
//   included) together with a cache count (cline v3.89.2 core/api/providers/*.ts), so the
//   cache is taken out again there. The model is the row's `modelInfo` (Cline ≥ 3.37), else
//   the task_metadata.json `model_usage` entry in force at the row's time.
// - SDK sessions (the VS Code extension and CLI since 4.1, which no longer write
//   ui_messages.json): <sessions>/<sessionId>/<stem>.messages.json, rewritten whole; a
//   subagent's file sits beside its parent's under another stem. An assistant message's
//   `metrics` is that model call's usage, `inputTokens` including cache reads and writes
//   (apps/vscode/src/sdk/message-translator.ts); `modelInfo` names model and provider,
//   else the session manifest <sessionId>.json does.
// Locations: every VS Code-family editor's globalStorage/saoudrizwan.claude-dev (and its
// profiles'), and Cline's own data dir: CLINE_DATA_DIR, else $CLINE_DIR/data, else
// ~/.cline/data; sessions in CLINE_SESSION_DATA_DIR, else <data>/sessions.
import { join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash, sessionKey } from '../ids.ts';
import { fileNames, readWhole, subdirs } from './files.ts';
import { num, tsOf, type Collector, type ScanContext } from './context.ts';
import { o, type Rec, safeParse, str } from './json.ts';
import { newUsage, rereadWhole, scanTasks, usageEvents, type TaskFlavor, type TaskState, type UsageRow, type Who } from './cline-tasks.ts';
import { editorUserDirs, extensionStores, type EditorRoots } from './vscode-dirs.ts';

export const CLINE_EXTENSION = 'saoudrizwan.claude-dev';

export interface ClineRoots extends EditorRoots {
  /** SDK session folders (each holding <sessionId>/<stem>.messages.json). */
  sessions: string[];
}

export function clineRoots(env: Env, home: string, platform: NodeJS.Platform = process.platform): ClineRoots {
  const data = env.CLINE_DATA_DIR || join(env.CLINE_DIR || join(home, '.cline'), 'data');
  return { editors: editorUserDirs(env, home, platform), stores: [data], sessions: [env.CLINE_SESSION_DATA_DIR || join(data, 'sessions')] };
}

/** Cline provider ids → the wire's provider names (the rest are Cline's ids as they are). */
const PROVIDERS: Record<string, string> = { 'openai-native': 'openai', 'openai-codex': 'openai', gemini: 'google', 'claude-code': 'anthropic' };
const LOCAL = new Set(['ollama', 'lmstudio']);
const TOTAL_INPUT = new Set(['openai', 'litellm', 'xai', 'qwen', 'lmstudio', 'fireworks', 'zai', 'doubao', 'hicap', 'oca', 'openai-codex', 'requesty']);

export function clineWho(providerId: string | undefined, model: string | undefined, includesCache = TOTAL_INPUT.has(providerId ?? '')): Who {
  const id = providerId ?? 'unknown';
  return { model: model ?? 'unknown', provider: PROVIDERS[id] ?? id, isLocal: LOCAL.has(id), includesCache };
}

/** task_metadata.json `model_usage`: [ts, model, provider] entries, oldest first. */
function modelUsage(taskDir: string): [number, string | undefined, string | undefined][] {
  const list = o(safeParse(readWhole(join(taskDir, 'task_metadata.json'))))?.model_usage;
  if (!Array.isArray(list)) return [];
  const out: [number, string | undefined, string | undefined][] = [];
  for (const e of list) {
    const r = o(e);
    if (r) out.push([tsOf(r.ts) ?? 0, str(r.model_id), str(r.model_provider_id)]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

export const clineFlavor: TaskFlavor = {
  source: 'cline',
  prefix: 'cl',
  usageSays: new Set(['api_req_started', 'subagent_usage']),
  aggregateSay: 'deleted_api_reqs',
  who(taskDir) {
    let history: ReturnType<typeof modelUsage> | null = null;
    return (row) => {
      const info = o(row.msg.modelInfo);
      let model = str(info?.modelId);
      let provider = str(info?.providerId);
      if (!model || !provider) {
        history ??= modelUsage(taskDir);
        const entry = history.filter((e) => e[0] <= row.ts).at(-1) ?? history[0];
        model ??= entry?.[1];
        provider ??= entry?.[2];
      }
      return clineWho(provider, model);
    };
  },
};

// A classic task resumed by the SDK extension starts its session with the task's history,
// the task's whole totals put on its last assistant message, and a user message with this
// warning (apps/vscode/src/sdk/legacy-task-handling.ts). Those totals were counted from the
// task's ui_messages.json: metrics up to the warning are not usage of this session.
const LEGACY_RESUME = 'this is a legacy conversation';

function mentionsLegacyResume(msg: Rec | null): boolean {
  const content = msg?.content;
  if (typeof content === 'string') return content.includes(LEGACY_RESUME);
  return Array.isArray(content) && content.some((b) => typeof o(b)?.text === 'string' && (o(b)!.text as string).includes(LEGACY_RESUME));
}

/** The usage rows of one SDK messages file (assistant messages with metrics). */
export function sessionRows(doc: unknown): UsageRow[] | null {
  const d = o(doc);
  const all = d ? d.messages : doc; // a bare array is accepted too (the SDK's reader does)
  if (!Array.isArray(all)) return null;
  let from = 0;
  all.forEach((m, i) => {
    if (mentionsLegacyResume(o(m))) from = i + 1;
  });
  const rows: UsageRow[] = [];
  for (const m of all.slice(from)) {
    const msg = o(m);
    const metrics = o(msg?.metrics);
    if (!msg || !metrics || msg.role !== 'assistant' || o(msg.metadata)?.displayOnly === true) continue;
    const ts = tsOf(msg.ts);
    if (ts === null) continue;
    rows.push({ ts, aggregate: false, msg, info: metrics, counts: [num(metrics.inputTokens), num(metrics.outputTokens), num(metrics.cacheReadTokens), num(metrics.cacheWriteTokens)] });
  }
  return rows;
}

function scanSessions(ctx: ScanContext, roots: string[]): WireEvent[] {
  const states = ctx.cursors.extra<Record<string, TaskState>>('cline-sessions', () => ({}));
  const out: WireEvent[] = [];
  for (const root of new Set(roots)) {
    for (const sid of subdirs(root)) {
      const dir = join(root, sid);
      let manifest: Rec | null | undefined;
      for (const name of fileNames(dir)) {
        if (!name.endsWith('.messages.json')) continue;
        const file = rereadWhole(ctx, join(dir, name), sessionRows);
        if (!file) continue;
        // A subagent's file keeps its own message ids: (folder, stem) names the agent.
        const stem = name.slice(0, -'.messages.json'.length);
        const key = sessionKey(`cline-sdk:${sid}/${stem}`);
        const r = newUsage(file.value, states[key], file.settled);
        states[key] = r.next;
        for (const { row, counts } of r.emit) {
          if (ctx.sinceMs !== null && row.ts < ctx.sinceMs) continue;
          const info = o(row.msg.modelInfo);
          if ((!str(info?.id) || !str(info?.provider)) && manifest === undefined) manifest = o(safeParse(readWhole(join(dir, `${sid}.json`))));
          const who = clineWho(str(info?.provider) ?? str(manifest?.provider), str(info?.id) ?? str(manifest?.model), true);
          const msgId = str(row.msg.id) ?? String(row.ts);
          // The session is the user's (root) session: subagent usage belongs to it.
          out.push(...usageEvents('cline', row.ts, counts, who, eventId('cl', 'sdk', sid, stem, msgId), sessionHash(ctx.salt, sid)));
        }
        file.done(r.held);
      }
    }
  }
  return out;
}

export const cline: Collector = {
  source: 'cline',
  scan(ctx: ScanContext): WireEvent[] {
    const roots = ctx.roots.cline;
    return [...scanTasks(ctx, clineFlavor, extensionStores(roots, CLINE_EXTENSION)), ...scanSessions(ctx, roots.sessions)];
  },
};
