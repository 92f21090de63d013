// What every collector gets: the salt for session hashes, the clock, and the cursors.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { LogRoots } from '../config.ts';
import type { Cursors } from './cursors.ts';

export { Cursors } from './cursors.ts';

export type Source = 'claude-code' | 'codex' | 'gemini-cli' | 'opencode'
  | 'cline' | 'roo-code' | 'kilo-code' | 'copilot-vscode'
  | 'copilot-cli' | 'amp' | 'pi' | 'openclaw' | 'kimi-cli' | 'qwen-code' | 'codebuff' | 'grok' | 'antigravity' | 'zcode'
  | 'goose' | 'droid' | 'kilo-cli' | 'hermes';

/** A log whose last message may still be growing is held back until it has been quiet this long. */
export const SETTLE_MS = 60_000;

export interface ScanContext {
  salt: Buffer;
  now: number;
  settleMs: number;
  /** Events before this time (ms) are left out (`collect --since`). */
  sinceMs: number | null;
  cursors: Cursors;
  roots: LogRoots;
}

export interface Collector {
  source: Source;
  scan(ctx: ScanContext): WireEvent[];
  /** The SQLite stores of this tool present here (read only where node:sqlite exists). */
  sqliteStores?(roots: LogRoots): string[];
}

/** The per-install salt for session hashes (created once, mode 0600, never sent). */
export function loadSalt(stateDir: string): Buffer {
  const path = join(stateDir, 'salt');
  try {
    const hex = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  } catch {
    // First run.
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const salt = randomBytes(32);
  try {
    writeFileSync(path, salt.toString('hex'), { mode: 0o600, flag: 'wx' });
    return salt;
  } catch {
    // Another process created it first: use theirs.
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  }
}

export function tsOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.floor(v);
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) && t > 0 ? t : null;
}

// Logs name the same few models on every line: cleaned names are remembered (bounded).
const cleaned = new Map<string, string>();

/** Wire-safe model/provider names from log text (1-128 printable characters). */
export function cleanName(v: unknown, fallback = 'unknown'): string {
  if (typeof v !== 'string') return fallback;
  let s = cleaned.get(v);
  if (s === undefined) {
    s = v.replace(/[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/gu, '').trim();
    s = [...s].slice(0, 128).join('');
    if (v.length <= 256) {
      if (cleaned.size >= 256) cleaned.clear();
      cleaned.set(v, s);
    }
  }
  return s || fallback;
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

export type { WireEvent };
