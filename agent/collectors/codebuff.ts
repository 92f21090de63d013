// Codebuff (formerly Manicode), FORMATS.md §8: <channel root>/projects/<project>/chats/
// <chat id>/chat-messages.json, the chat's messages as one JSON array rewritten as the chat
// grows (channels: manicode, manicode-dev, manicode-staging). Assistant messages
// (`variant: "ai"`, or `role: "assistant"`) carry usage on `metadata.usage`,
// `metadata.codebuff.usage`, or — for calls routed through a provider — on the last assistant
// entry of `metadata.runState.sessionState.mainAgentState.messageHistory[].providerOptions`;
// the first of those that has counts is used (one response, one event).
//
// Token semantics: the Anthropic-shaped objects (`inputTokens`, `cacheReadInputTokens`,
// `cacheCreationInputTokens`) have input already uncached; the OpenAI-shaped ones
// (`promptTokens` / `prompt_tokens` with `promptTokensDetails.cachedTokens`) include the
// cached tokens in the prompt count: they are subtracted. Traps handled: whole-file rewrites
// (rewritten.ts: only new messages, the last one held while the chat is written); the same
// chat under two channel roots (same message ids: one event).
import { join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash } from '../ids.ts';
import { findFiles, type FoundFile } from './files.ts';
import { cleanName, num, tsOf, type Collector, type ScanContext } from './context.ts';
import { o, safeParse, type Rec } from './json.ts';
import { readRewritten, type DocItem } from './rewritten.ts';
import { EventSink } from './sink.ts';
import { providerOf } from './provider.ts';
import { epochMs } from './time.ts';
import { pathList } from './locations.ts';

const CHANNELS = ['manicode', 'manicode-dev', 'manicode-staging'];

/**
 * Codebuff's channel roots: CODEBUFF_DATA_DIR (ccusage's variable, a comma list of channel
 * roots or their projects/ folders), else ~/.config/manicode, -dev and -staging (Codebuff
 * keeps them under the home folder on every OS).
 */
export function codebuffRoots(env: Env, home: string): string[] {
  const given = pathList(env.CODEBUFF_DATA_DIR);
  return given.length ? given : CHANNELS.map((c) => join(home, '.config', c));
}

type Counts = [number, number, number, number];

/** One usage object under our counting rules; null when it has no counts. */
export function codebuffCounts(u: Rec | null): Counts | null {
  if (!u) return null;
  const first = (...keys: string[]): number => {
    for (const k of keys) if (num(u[k])) return num(u[k]);
    return 0;
  };
  const details = o(u.promptTokensDetails) ?? o(u.prompt_tokens_details);
  const openAiShaped = first('promptTokens', 'prompt_tokens') > 0 && !first('inputTokens', 'input_tokens');
  let input = first('inputTokens', 'input_tokens', 'promptTokens', 'prompt_tokens');
  const output = first('outputTokens', 'output_tokens', 'completionTokens', 'completion_tokens');
  let read = first('cacheReadInputTokens', 'cache_read_input_tokens');
  if (!read && details) read = num(details.cachedTokens) || num(details.cached_tokens);
  const write = first('cacheCreationInputTokens', 'cache_creation_input_tokens', 'cacheCreationTokens', 'cache_creation_tokens', 'cachedTokensCreated', 'cached_tokens_created');
  if (openAiShaped) input -= Math.min(input, read + write);
  return input + output + read + write > 0 ? [input, output, read, write] : null;
}

/** The usage of one assistant message and the model that answered. */
function usageOf(msg: Rec): { n: Counts; model?: unknown } | null {
  const meta = o(msg.metadata);
  if (!meta) return null;
  const cb = o(meta.codebuff);
  const direct = codebuffCounts(o(meta.usage)) ?? codebuffCounts(o(cb?.usage));
  if (direct) return { n: direct, model: meta.model ?? o(meta.usage)?.model ?? cb?.model ?? o(cb?.usage)?.model };
  const history = o(o(o(meta.runState)?.sessionState)?.mainAgentState)?.messageHistory;
  if (!Array.isArray(history)) return null;
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = o(history[i]);
    const opts = o(entry?.providerOptions);
    if (entry?.role !== 'assistant' || !opts) continue;
    const n = codebuffCounts(o(opts.usage)) ?? codebuffCounts(o(o(opts.codebuff)?.usage));
    if (n) return { n, model: meta.model ?? o(opts.codebuff)?.model };
  }
  return null;
}

/** A chat id is its start time with `:` as `-` (2025-12-14T10-00-00.000Z). */
function chatTime(chatId: string): number | null {
  const t = chatId.indexOf('T');
  return t < 0 ? null : tsOf(chatId.slice(0, t) + chatId.slice(t).replace('-', ':').replace('-', ':'));
}

export function codebuffItems(text: string, file: FoundFile, salt: Buffer): DocItem[] | null {
  const doc = safeParse(text);
  if (!Array.isArray(doc)) return null;
  const parts = file.path.split(/[\\/]/);
  const chatId = parts[parts.length - 2] ?? '';
  const project = parts[parts.length - 4] ?? '';
  // Project and chat (not the channel): the same chat copied to another channel counts once.
  const chat = `${project}/${chatId}`;
  const session = sessionHash(salt, chat);
  const start = chatTime(chatId) ?? Math.floor(file.stat.mtimeMs);
  const items: DocItem[] = [];
  doc.forEach((m, i) => {
    const msg = o(m);
    const role = msg?.variant ?? msg?.role;
    if (!msg || (role !== 'ai' && role !== 'agent' && role !== 'assistant')) return;
    const key = eventId('cb', chat, typeof msg.id === 'string' && msg.id ? msg.id : `#${i}`);
    const u = usageOf(msg);
    const model = cleanName(u?.model, 'codebuff-unknown');
    items.push({
      key,
      event: u && {
        ts: epochMs(msg.timestamp) ?? epochMs(msg.createdAt) ?? epochMs(o(msg.metadata)?.timestamp) ?? start,
        provider: providerOf(model), model, is_local: false,
        input_tokens: u.n[0], output_tokens: u.n[1], cache_read_tokens: u.n[2], cache_write_tokens: u.n[3],
        id: key, source: 'codebuff', session,
      },
    });
  });
  return items;
}

export const codebuff: Collector = {
  source: 'codebuff',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const root of ctx.roots.codebuff) {
      const projects = /[\\/]projects[\\/]?$/.test(root) ? root : join(root, 'projects');
      for (const file of findFiles(projects, (n) => n === 'chat-messages.json')) {
        readRewritten(ctx, file, sink, (text) => codebuffItems(text, file, ctx.salt));
      }
    }
    return sink.events();
  },
};
