// The cursors of every log file read so far (identity + offset + the collector's state
// for it), per-collector state (e.g. Codex session totals) and the directory cursors of
// the stores whose files are final once read (final-files.ts). Files and directories are
// keyed by a digest of their path: the state dir keeps no paths.
//
// The file is JSON (older agents and the tests read it as such), written one file cursor
// per line. A rescan with nothing new reads few of the thousands of cursors, so loading
// keeps each line as text and parses it when its file is asked for: parsing all of them
// was ~7 ms and as much again in garbage collection for 5,000 files, most never looked at.
// A file in any other layout (written by an older agent, or edited) is parsed whole.
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeTextAtomic } from '../fsutil.ts';
import type { FileCursor } from './files.ts';

/** A directory whose files were all final when it was last listed, and what was in it. */
export interface DirCursor {
  dev: number;
  ino: number;
  mtimeMs: number;
  /** The keys of its files' cursors, one after the other (one string parses faster than a list). */
  files: string;
}

interface Head {
  version: 1;
  extra: Record<string, unknown>;
  dirs: Record<string, DirCursor>;
}

// The first line of the file as `save` writes it, up to the state it holds.
const HEAD_START = '{"version":1,"extra":';
const KEY_LEN = 32;

// crypto.hash (Node 20.12+) digests in one call, without a Hash object per file.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;
const sha256Hex = (s: string): string => (oneShot ? oneShot('sha256', s, 'hex') : crypto.createHash('sha256').update(s).digest('hex'));

/** A file cursor as loaded (its line's text, `"key":{...}`) until it is asked for. */
type Stored = FileCursor | string;

export class Cursors {
  private head: Head = { version: 1, extra: {}, dirs: {} };
  private files = new Map<string, Stored>();
  private seen = new Set<string>();
  private seenDirs = new Set<string>();
  /** Directories skipped whole: their files count as seen. */
  private keptDirs: DirCursor[] = [];
  private lastPath = '';
  private lastKey = '';

  constructor(private readonly path: string | null) {
    if (path) this.load(path);
  }

  private load(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // first run
    }
    if (!this.loadLines(text)) this.loadWhole(text);
  }

  /** The layout `save` writes: a head line, one `"key":{...}` line per file, `}}`. */
  private loadLines(text: string): boolean {
    if (!text.startsWith(HEAD_START) || !text.endsWith('\n}}\n')) return false;
    const lines = text.split('\n');
    let parsed: Head;
    try {
      parsed = JSON.parse(`${lines[0]}}}`) as Head;
    } catch {
      return false;
    }
    if (parsed.version !== 1 || !parsed.extra || !parsed.dirs) return false;
    const head: Head = { version: 1, extra: parsed.extra, dirs: parsed.dirs };
    const files = new Map<string, Stored>();
    // lines: head, the files, '}}', '' (after the last newline).
    for (let i = 1; i < lines.length - 2; i++) {
      const line = lines[i];
      if (line.charCodeAt(0) !== 34 || line.charCodeAt(KEY_LEN + 1) !== 34 || line.charCodeAt(KEY_LEN + 2) !== 58) return false;
      files.set(line.slice(1, KEY_LEN + 1), line.endsWith(',') ? line.slice(0, -1) : line);
    }
    this.head = head;
    this.files = files;
    return true;
  }

  private loadWhole(text: string): void {
    let data: { version?: number; files?: Record<string, FileCursor>; extra?: Record<string, unknown>; dirs?: Record<string, DirCursor> };
    try {
      data = JSON.parse(text);
    } catch {
      return; // unreadable: start again (the event ids keep the server's count right)
    }
    if (data?.version !== 1) return;
    this.head = { version: 1, extra: data.extra ?? {}, dirs: data.dirs ?? {} };
    this.files = new Map(Object.entries(data.files ?? {}));
  }

  /** The key of a path (the last one is remembered: a collector often asks twice in a row). */
  key(file: string): string {
    if (file !== this.lastPath) {
      this.lastKey = sha256Hex(file).slice(0, KEY_LEN);
      this.lastPath = file;
    }
    return this.lastKey;
  }

  get(file: string): FileCursor | undefined {
    const k = this.key(file);
    this.seen.add(k);
    const c = this.files.get(k);
    if (typeof c !== 'string') return c;
    let parsed: FileCursor | undefined;
    try {
      parsed = JSON.parse(c.slice(KEY_LEN + 3)) as FileCursor;
    } catch {
      parsed = undefined; // a damaged line: that file is read again
    }
    // Kept parsed: a collector may change the state it was given.
    if (parsed) this.files.set(k, parsed);
    else this.files.delete(k);
    return parsed;
  }

  set(file: string, c: FileCursor): void {
    const k = this.key(file);
    this.seen.add(k);
    this.files.set(k, c);
  }

  extra<T>(key: string, init: () => T): T {
    const extra = this.head.extra;
    if (!(key in extra)) extra[key] = init();
    return extra[key] as T;
  }

  /** The directory's cursor (not yet kept: `keepDir` or `setDir` keeps it). */
  dir(path: string): DirCursor | undefined {
    return this.head.dirs[this.key(path)];
  }

  /** Keeps a directory's cursor and those of its files, as if each file had been looked at. */
  keepDir(path: string, c: DirCursor): void {
    this.seenDirs.add(this.key(path));
    this.keptDirs.push(c);
  }

  setDir(path: string, c: DirCursor): void {
    const k = this.key(path);
    this.seenDirs.add(k);
    this.head.dirs[k] = c;
  }

  /**
   * After a scan of every collector: drops the cursors of files and directories it did not
   * meet (deleted or rotated-away logs), so the file does not grow forever.
   */
  forgetUnseen(): void {
    for (const d of this.keptDirs) for (let i = 0; i < d.files.length; i += KEY_LEN) this.seen.add(d.files.slice(i, i + KEY_LEN));
    this.keptDirs = [];
    for (const k of this.files.keys()) if (!this.seen.has(k)) this.files.delete(k);
    for (const k of Object.keys(this.head.dirs)) if (!this.seenDirs.has(k)) delete this.head.dirs[k];
  }

  save(): void {
    if (!this.path) return;
    const head = JSON.stringify(this.head);
    const lines: string[] = [];
    // Lines not asked for are written back as they were read.
    for (const [k, c] of this.files) lines.push(typeof c === 'string' ? c : `"${k}":${JSON.stringify(c)}`);
    const body = lines.length ? `${lines.join(',\n')}\n` : '';
    writeTextAtomic(this.path, `${head.slice(0, -1)},"files":{\n${body}}}\n`);
  }
}
