// Amp (FORMATS.md §8): one JSON document per thread, <data>/threads/T-<uuid>.json, rewritten
// as the thread grows (ccusage and tokscale read the same files). Usage is recorded on two
// paths: `usageLedger.events[]` (older threads: `tokens.{input,output}`, `toMessageId`) and
// `messages[].usage` (every thread: `inputTokens`, `outputTokens`,
// `cacheCreationInputTokens`, `cacheReadInputTokens`, Anthropic-style, input uncached).
//
// Traps handled:
// - the same model response on both paths: one event per assistant message — its ledger
//   event's input/output with the message's cache counts when the ledger has it, else the
//   message's own usage; a ledger event naming no message counts alone. Both paths give the
//   same event id (thread + message id), so a thread whose ledger appears or disappears
//   between versions is not counted twice;
// - the file is rewritten whole: only messages not sent before are sent, the last one waits
//   until the file is quiet (rewritten.ts); a document caught half-written is read next scan.
import { join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash } from '../ids.ts';
import { findFiles } from './files.ts';
import { cleanName, num, tsOf, type Collector, type ScanContext } from './context.ts';
import { o, type Rec, safeParse, str } from './json.ts';
import { readRewritten, type DocItem } from './rewritten.ts';
import { EventSink } from './sink.ts';
import { providerOf } from './provider.ts';
import { pathList, unique } from './locations.ts';

/**
 * Amp's data folders: AMP_DATA_DIR (one folder or a comma list, as ccusage reads it), else
 * $XDG_DATA_HOME/amp and ~/.local/share/amp (Amp keeps this XDG-style folder under the home
 * folder on macOS and Windows too).
 */
export function ampRoots(env: Env, home: string): string[] {
  const given = pathList(env.AMP_DATA_DIR);
  if (given.length) return given;
  return unique([...(env.XDG_DATA_HOME ? [join(env.XDG_DATA_HOME, 'amp')] : []), join(home, '.local', 'share', 'amp')]);
}

const idOf = (v: unknown): string | undefined => (typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v));

/** The events of one thread document, in order; null when it is not a thread (or half-written). */
export function ampItems(text: string, salt: Buffer): DocItem[] | null {
  const doc = o(safeParse(text));
  const thread = doc && str(doc.id);
  if (!doc || !thread) return null;
  const session = sessionHash(salt, thread);
  const created = tsOf(doc.created);
  const messages = (Array.isArray(doc.messages) ? doc.messages : []).map(o).filter((m): m is Rec => !!m && m.role === 'assistant');
  const ledger = (Array.isArray(o(doc.usageLedger)?.events) ? (o(doc.usageLedger)!.events as unknown[]) : []).map(o).filter((e): e is Rec => !!e);
  const ledgerFor = new Map<string, Rec>();
  for (const e of ledger) {
    const to = idOf(e.toMessageId);
    if (to !== undefined && !ledgerFor.has(to)) ledgerFor.set(to, e);
  }
  const items: DocItem[] = [];
  const make = (key: string, model: unknown, ts: number | null, n: [number, number, number, number]): DocItem => {
    const m = cleanName(model);
    const event: WireEvent | null = ts === null ? null : {
      ts, provider: providerOf(m), model: m, is_local: false,
      input_tokens: n[0], output_tokens: n[1], cache_read_tokens: n[2], cache_write_tokens: n[3],
      id: key, source: 'amp', session,
    };
    return { key, event };
  };
  const paired = new Set<Rec>();
  messages.forEach((m, i) => {
    const mid = idOf(m.messageId);
    const u = o(m.usage);
    const e = mid !== undefined ? ledgerFor.get(mid) : undefined;
    if (!u && !e) return;
    const key = eventId('amp', thread, 'm', mid ?? `#${i}`);
    const cacheRead = num(u?.cacheReadInputTokens);
    const cacheWrite = num(u?.cacheCreationInputTokens);
    if (e) {
      paired.add(e);
      const t = o(e.tokens);
      items.push(make(key, str(e.model) ?? u?.model ?? m.model, tsOf(e.timestamp) ?? tsOf(u?.timestamp) ?? tsOf(m.timestamp) ?? created, [num(t?.input), num(t?.output), cacheRead, cacheWrite]));
    } else {
      items.push(make(key, u!.model ?? m.model, tsOf(u!.timestamp) ?? tsOf(m.timestamp) ?? created, [num(u!.inputTokens), num(u!.outputTokens), cacheRead, cacheWrite]));
    }
  });
  ledger.forEach((e, i) => {
    if (paired.has(e)) return;
    const t = o(e.tokens);
    items.push(make(eventId('amp', thread, 'l', str(e.id) ?? `#${i}`), e.model, tsOf(e.timestamp) ?? created, [num(t?.input), num(t?.output), 0, 0]));
  });
  return items;
}

export const amp: Collector = {
  source: 'amp',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const root of ctx.roots.amp) {
      for (const file of findFiles(join(root, 'threads'), (n) => n.endsWith('.json'))) {
        readRewritten(ctx, file, sink, (text) => ampItems(text, ctx.salt));
      }
    }
    return sink.events();
  },
};
