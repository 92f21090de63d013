// File plumbing shared by the collectors: finding log files, a cursor per file (identity
// + offset) so a rescan reads only appended bytes, and line reading in bounded chunks so
// a huge log never sits in memory whole.
import { closeSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';

export interface FileCursor {
  dev: number;
  ino: number;
  /** File size and mtime when last read. */
  size: number;
  mtimeMs: number;
  /** Bytes consumed: everything before this offset has been read (complete lines only). */
  offset: number;
  /** Collector-specific state carried between reads of this file. */
  state?: unknown;
}

export interface FoundFile {
  path: string;
  stat: Stats;
}

/** Subdirectories of `dir` (none when it does not exist). */
export function subdirs(dir: string): string[] {
  // Asked first: a failed readdir costs an exception, and most of the places probed are not there.
  if (!isDir(dir)) return [];
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** The names in `dir` (none when it does not exist). */
export function fileNames(dir: string): string[] {
  if (!isDir(dir)) return [];
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The file's stat, or null when it is not there (deleted, never written, unreadable). */
export function statOrNull(path: string): Stats | null {
  try {
    // A missing path answers undefined, not an exception: most paths a scan probes are not there.
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** True when `path` is a directory (or a link to one). */
export function isDir(path: string): boolean {
  return statOrNull(path)?.isDirectory() ?? false;
}

/**
 * `join(dir, name)` for a name read from `dir`: below the root, where `dir` came out of a
 * join (normalized, no trailing separator), joining is just concatenating, and path.join's
 * normalizing was a tenth of a rescan with nothing new. The root itself may be written any
 * way (a trailing slash, `..`): its entries are joined.
 */
export function childPath(dir: string, name: string, isRoot: boolean): string {
  return isRoot ? join(dir, name) : dir + sep + name;
}

/** Files under `root` (recursively) whose name passes `accept`; missing roots are empty. */
export function findFiles(root: string, accept: (name: string, relDir: string) => boolean): FoundFile[] {
  const out: FoundFile[] = [];
  if (!isDir(root)) return out;
  const walk = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = childPath(dir, e.name, rel === '');
      if (e.isDirectory()) walk(p, rel ? `${rel}/${e.name}` : e.name);
      else if (e.isFile() && accept(e.name, rel)) {
        try {
          out.push({ path: p, stat: statSync(p) });
        } catch {
          // Deleted between listing and stat.
        }
      }
    }
  };
  walk(root, '');
  return out;
}

/** True when the cursor still describes this file (same identity, not truncated). */
export function sameFile(c: FileCursor | undefined, st: Stats): c is FileCursor {
  return !!c && c.dev === st.dev && c.ino === st.ino && st.size >= c.offset;
}

/** Nothing changed since the cursor was written. */
export function unchanged(c: FileCursor | undefined, st: Stats): boolean {
  return sameFile(c, st) && c.size === st.size && c.mtimeMs === st.mtimeMs;
}

const CHUNK = 1024 * 1024;
/** One read buffer for every file (scans are synchronous): no per-file allocation to collect. */
let shared = Buffer.allocUnsafe(CHUNK);

/**
 * Calls `onLine` for every complete line from `start` to the file's current end that
 * contains one of `needles` (all lines when none are given). Returns the offset after the
 * last complete line: a half-written last line is left for the next read.
 */
export function readLines(path: string, start: number, end: number, onLine: (line: string) => void, needles: Buffer[] = []): number {
  return readLineBytes(path, start, end, (buf, from, to) => onLine(buf.toString('utf8', from, to)), needles);
}

/**
 * readLines without decoding: `onLine` gets the read buffer and the line's byte range
 * (valid only during the call), for collectors that decode just part of a line.
 */
export function readLineBytes(path: string, start: number, end: number, onLine: (buf: Buffer, from: number, to: number) => void, needles: Buffer[] = []): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return start;
  }
  let offset = start;
  let buf = shared;
  try {
    while (offset < end) {
      const want = Math.min(buf.length, end - offset);
      const n = readSync(fd, buf, 0, want, offset);
      if (n <= 0) break;
      const view = buf.subarray(0, n);
      const lastNl = view.lastIndexOf(10);
      if (lastNl < 0) {
        // A line longer than the buffer: grow and retry, unless the file simply ends here.
        if (offset + n >= end) break;
        buf = shared = Buffer.allocUnsafe(buf.length * 2);
        continue;
      }
      eachLine(view, lastNl, onLine, needles);
      offset += lastNl + 1;
    }
  } finally {
    closeSync(fd);
  }
  return offset;
}

function eachLine(view: Buffer, lastNl: number, onLine: (buf: Buffer, from: number, to: number) => void, needles: Buffer[]): void {
  if (!needles.length) {
    let pos = 0;
    while (pos <= lastNl) {
      const nl = view.indexOf(10, pos);
      if (nl > pos) onLine(view, pos, nl);
      pos = nl + 1;
    }
    return;
  }
  // Jump from match to match: lines without any needle are never decoded.
  let pos = 0;
  while (pos <= lastNl) {
    let hit = -1;
    for (const n of needles) {
      const h = view.indexOf(n, pos);
      if (h >= 0 && (hit < 0 || h < hit)) hit = h;
    }
    if (hit < 0 || hit > lastNl) return;
    const lineStart = hit === 0 ? 0 : view.lastIndexOf(10, hit - 1) + 1;
    const lineEnd = view.indexOf(10, hit);
    onLine(view, lineStart, lineEnd);
    pos = lineEnd + 1;
  }
}

/** The first `n` bytes of a file as text. */
export function readHead(path: string, n: number): string {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(n);
      const got = readSync(fd, buf, 0, n, 0);
      return buf.toString('utf8', 0, got);
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** The file's whole text (for the formats that are rewritten whole rather than appended). */
export function readWhole(path: string): string | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = statSync(path).size;
      const buf = Buffer.allocUnsafe(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, buf, got, size - got, got);
        if (n <= 0) break;
        got += n;
      }
      return buf.toString('utf8', 0, got);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}
