// One scan of every local log: the events found, newest first (so a first run sends
// recent days before backfilling older history), and the cursors to save once those
// events are safely queued.
import type { WireEvent } from '../wire.ts';
import type { LogRoots } from '../config.ts';
import { claudeCode } from './claude-code.ts';
import { codex } from './codex.ts';
import { geminiCli } from './gemini-cli.ts';
import { opencode } from './opencode.ts';
import { cline } from './cline.ts';
import { rooCode } from './roo-code.ts';
import { kiloCode } from './kilo-code.ts';
import { copilotVscode } from './copilot-vscode.ts';
import { copilotCli } from './copilot-cli.ts';
import { amp } from './amp.ts';
import { pi } from './pi.ts';
import { openclaw } from './openclaw.ts';
import { kimiCli } from './kimi-cli.ts';
import { qwenCode } from './qwen-code.ts';
import { codebuff } from './codebuff.ts';
import { grok } from './grok.ts';
import { antigravity } from './antigravity.ts';
import { zcode } from './zcode.ts';
import { goose } from './goose.ts';
import { droid } from './droid.ts';
import { kiloCli } from './kilo-cli.ts';
import { hermes } from './hermes.ts';
import { sqliteAvailable } from './sqlite.ts';
import { Cursors, SETTLE_MS, type Collector, type Source } from './context.ts';
import { join } from 'node:path';

export const COLLECTORS: readonly Collector[] = [claudeCode, codex, geminiCli, opencode,
  cline, rooCode, kiloCode, copilotVscode,
  copilotCli, amp, pi, openclaw, kimiCli, qwenCode, codebuff, grok, antigravity, zcode,
  goose, droid, kiloCli, hermes];

export interface ScanOptions {
  stateDir: string;
  roots: LogRoots;
  salt: Buffer;
  now?: number;
  settleMs?: number;
  sinceMs?: number | null;
  /** Read from the saved cursors (a normal scan) or from nothing (a full re-read). */
  useCursors?: boolean;
}

export interface ScanResult {
  events: WireEvent[];
  bySource: Record<Source, number>;
  /** Persist the cursors: call only after the events are in the outbox. */
  commit(): void;
}

export function cursorPath(stateDir: string): string {
  return join(stateDir, 'cursors.json');
}

export function scanLogs(opts: ScanOptions): ScanResult {
  const cursors = new Cursors(opts.useCursors === false ? null : cursorPath(opts.stateDir));
  const ctx = { salt: opts.salt, now: opts.now ?? Date.now(), settleMs: opts.settleMs ?? SETTLE_MS, sinceMs: opts.sinceMs ?? null, cursors, roots: opts.roots };
  const events: WireEvent[] = [];
  const bySource = Object.fromEntries(COLLECTORS.map((c) => [c.source, 0])) as Record<Source, number>;
  for (const c of COLLECTORS) {
    const found = c.scan(ctx);
    bySource[c.source] = found.length;
    for (const e of found) events.push(e);
  }
  events.sort((a, b) => b.ts - a.ts);
  // Forgetting the files not met is only needed for what is saved (a dry run saves nothing).
  return { events, bySource, commit: () => {
    cursors.forgetUnseen();
    cursors.save();
  } };
}

/**
 * The tools whose SQLite store is on this machine but cannot be read by this Node (node:sqlite
 * needs 22.5+): they are skipped, and `collect`, `status` and `run` say so once. Every
 * collector that reads a SQLite store lists it in `sqliteStores`.
 */
export function sqliteSkipped(roots: LogRoots): Source[] {
  if (sqliteAvailable()) return [];
  return COLLECTORS.filter((c) => (c.sqliteStores?.(roots).length ?? 0) > 0).map((c) => c.source);
}

/** The names the notice gives the tools with a SQLite store. */
const TOOL_NAMES: Partial<Record<Source, string>> = {
  opencode: 'OpenCode', openclaw: 'OpenClaw', antigravity: 'Antigravity', zcode: 'ZCode', goose: 'Goose', 'kilo-cli': 'Kilo CLI', hermes: 'Hermes',
};

export function sqliteNotice(skipped: Source[]): string | null {
  if (!skipped.length) return null;
  const names = skipped.map((s) => TOOL_NAMES[s] ?? s).join(', ');
  return `${names}: SQLite store${skipped.length > 1 ? 's' : ''} skipped; reading ${skipped.length > 1 ? 'them' : 'it'} needs node:sqlite (Node 22.5 or newer), this is Node ${process.versions.node}`;
}
