// Small file helpers for the state directory: atomic JSON writes and pid liveness.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export function readJson<T>(path: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

/**
 * Write to a temp file, then rename: a reader (or a kill -9) sees the old or the new file,
 * never half. No fsync (it would stall the proxy's event loop); a power cut may bring back
 * the previous version, which only means re-sending events the server already counted.
 */
export function writeJsonAtomic(path: string, value: unknown, mode = 0o600): void {
  writeTextAtomic(path, JSON.stringify(value), mode);
}

/** writeJsonAtomic for text already made. */
export function writeTextAtomic(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
