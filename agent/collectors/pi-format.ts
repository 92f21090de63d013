// The session record format of Pi (badlogic/pi-mono) and the tools built on it (OpenClaw):
// JSONL with a `session` header and one `message` entry per message; an assistant message
// carries `usage: {input, output, cacheRead, cacheWrite, totalTokens, cost}` for its one
// model response (`input` is uncached; reasoning is inside `output`). `model_change`
// entries (and OpenClaw's `custom` / `model-snapshot`) set the model for later messages
// that do not name one.
//
// Event ids come from the provider's response id when the message has one, else from the
// entry's own id with its time and counts: a session forked or copied into another file
// repeats the same entries, and they count once.
import type { WireEvent } from '../wire.ts';
import { eventId } from '../ids.ts';
import { cleanName, num, tsOf } from './context.ts';
import { o, type Rec, str } from './json.ts';
import { providerOf } from './provider.ts';

/** What a file has said so far about its session and model (kept in the cursor: no raw ids). */
export interface PiContext {
  session?: string;
  model?: string;
  provider?: string;
}

/** Applies a model change to the context; true when the entry was one. */
export function piModelChange(entry: Rec, c: PiContext): boolean {
  const src = entry.type === 'model_change' ? (o(entry.data) ?? entry) : entry.type === 'custom' && entry.customType === 'model-snapshot' ? (o(entry.data) ?? entry) : null;
  if (!src) return false;
  const model = str(src.modelId) ?? str(src.model);
  if (model) c.model = model;
  const provider = str(src.provider);
  if (provider) c.provider = provider;
  return true;
}

/** The event of one assistant `message` entry, or null (`prefix` namespaces the ids per tool). */
export function piMessageEvent(entry: Rec, c: PiContext, source: string, prefix: string, fallbackTs?: number): WireEvent | null {
  if (entry.type !== undefined && entry.type !== 'message') return null;
  const msg = o(entry.message);
  const u = o(msg?.usage);
  if (!msg || !u || msg.role !== 'assistant') return null;
  let output = num(u.output);
  const input = num(u.input);
  const read = num(u.cacheRead);
  const write = num(u.cacheWrite);
  // Only a total recorded: it is all we know, and output is where ccusage puts it too.
  if (!input && !output && !read && !write) output = num(u.totalTokens);
  const ts = tsOf(entry.timestamp) ?? tsOf(msg.timestamp) ?? fallbackTs ?? null;
  if (ts === null || input + output + read + write === 0) return null;
  const model = cleanName(str(msg.modelId) ?? str(msg.model) ?? c.model);
  const response = str(msg.responseId);
  const id = response ? eventId(prefix, 'r', response) : eventId(prefix, str(entry.id) ?? '', ts, input, output, read, write);
  const ev: WireEvent = {
    ts, provider: providerOf(model, msg.provider ?? c.provider), model, is_local: false,
    input_tokens: input, output_tokens: output, cache_read_tokens: read, cache_write_tokens: write,
    id, source,
  };
  if (c.session) ev.session = c.session;
  return ev;
}
