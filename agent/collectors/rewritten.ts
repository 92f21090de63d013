// The read loop shared by the tools that rewrite one JSON document per conversation as it
// grows (Amp threads, Codebuff chats): an unchanged file is skipped; a changed one is parsed
// whole and only the messages not sent before are sent. The last message of a document that
// is still being written may still change, so it waits until the file has been quiet. A
// document that does not parse (caught half-rewritten) is left for the next scan.
import type { WireEvent } from '../wire.ts';
import type { FoundFile } from './files.ts';
import { readWhole, sameFile, unchanged } from './files.ts';
import type { ScanContext } from './context.ts';
import type { EventSink } from './sink.ts';

/** One message of a document: a stable key (an event id: no raw ids) and its event, if it has usage. */
export interface DocItem {
  key: string;
  event: WireEvent | null;
}

interface DocState {
  sent: string[];
  /** The last message was held back while the file was still being written. */
  held: boolean;
}

export function readRewritten(ctx: ScanContext, file: FoundFile, sink: EventSink, parse: (text: string) => DocItem[] | null): void {
  const { path, stat } = file;
  const cursor = ctx.cursors.get(path);
  const prev = (sameFile(cursor, stat) ? cursor.state : undefined) as DocState | undefined;
  const settled = ctx.now - stat.mtimeMs >= ctx.settleMs;
  if (unchanged(cursor, stat) && !(prev?.held && settled)) return;
  const items = parse(readWhole(path) ?? '');
  if (!items) return;
  // Kept across rewrites of the same file (a rewrite is a new inode for some tools: the
  // sent keys follow the path, and the event ids keep the server's count right anyway).
  const before = (cursor?.state as DocState | undefined)?.sent ?? [];
  const sent = new Set(before);
  let held = false;
  items.forEach((item, i) => {
    if (sent.has(item.key)) return;
    if (!settled && i === items.length - 1) {
      held = true;
      return;
    }
    sent.add(item.key);
    sink.add(item.event);
  });
  ctx.cursors.set(path, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size, state: { sent: [...sent], held } satisfies DocState });
}
