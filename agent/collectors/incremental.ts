// The read loop shared by the append-only JSONL collectors (Copilot CLI, Pi, OpenClaw, Kimi
// CLI, Qwen Code, Grok Build): an unchanged file is skipped, a grown one is read from its
// cursor, a replaced or truncated one from the start; a half-written last line waits for
// the next scan. `state` is the collector's own per-file state, carried in the cursor: it
// must hold no raw session ids or paths (hash them), since the cursor file is on disk.
import type { FoundFile } from './files.ts';
import { readLines, sameFile, unchanged } from './files.ts';
import type { ScanContext } from './context.ts';

export interface FileRead<S> {
  state: S;
  /** True when this read starts at the beginning of the file. */
  fromStart: boolean;
  /** The file has been quiet for the settle time: nothing still being written. */
  settled: boolean;
}

/**
 * Reads the new complete lines of `file` (those containing one of `needles`), then lets
 * `finish` act on the state before it is saved. Returns false when the file was skipped.
 * `pending(state)` tells whether something is held back until the file is quiet: such a
 * file is visited again once it has settled, even though it did not change.
 */
export function readNewLines<S>(
  ctx: ScanContext, file: FoundFile, needles: Buffer[], init: () => S,
  onLine: (text: string, read: FileRead<S>) => void,
  finish?: (read: FileRead<S>) => void,
  pending?: (state: S) => boolean,
): boolean {
  const { path, stat } = file;
  const cursor = ctx.cursors.get(path);
  const resume = sameFile(cursor, stat);
  const settled = ctx.now - stat.mtimeMs >= ctx.settleMs;
  const prev = resume ? (cursor.state as S | undefined) : undefined;
  if (unchanged(cursor, stat) && !(settled && prev !== undefined && pending?.(prev))) return false;
  const read: FileRead<S> = { state: prev ?? init(), fromStart: !resume || cursor.offset === 0, settled };
  const offset = readLines(path, resume ? cursor.offset : 0, stat.size, (text) => onLine(text, read), needles);
  finish?.(read);
  ctx.cursors.set(path, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset, state: read.state });
  return true;
}
