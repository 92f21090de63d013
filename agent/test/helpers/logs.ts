// Fixture log trees copied into a temp home, so tests can append, truncate and age files.
import { cpSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logRootsFrom, type LogRoots } from '../../config.ts';
import { scanLogs, type ScanResult } from '../../collectors/index.ts';
import type { WireEvent } from '../../wire.ts';
import { tempDir } from './tmp.ts';

export const FIXTURE_HOME = fileURLToPath(new URL('../fixtures/home', import.meta.url));
export const CLI_TOOLS_HOME = fileURLToPath(new URL('../fixtures/cli-tools/home', import.meta.url));

/** Sets every file's mtime to `ageMs` ago (logs that are quiet, so nothing is held back). */
export function age(dir: string, ageMs = 2 * 3600_000): void {
  const when = new Date(Date.now() - ageMs);
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else utimesSync(p, when, when);
    }
  };
  walk(dir);
}

export interface Home {
  home: string;
  state: string;
  roots: LogRoots;
  scan(opts?: { now?: number; sinceMs?: number | null; commit?: boolean }): ScanResult;
}

/** A temp copy of a fixture home (by default the shared one), files aged, with its own state dir. */
export function copyHome(from = FIXTURE_HOME): Home {
  const base = tempDir('tb-agent-');
  const home = join(base, 'home');
  cpSync(from, home, { recursive: true });
  age(home);
  const state = join(base, 'state');
  const roots = logRootsFrom({}, home);
  const salt = Buffer.alloc(32, 7);
  return {
    home, state, roots,
    scan(opts = {}) {
      const r = scanLogs({ stateDir: state, roots, salt, now: opts.now, sinceMs: opts.sinceMs ?? null });
      if (opts.commit !== false) r.commit();
      return r;
    },
  };
}

export function totals(events: { input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number }[]) {
  const t = { events: events.length, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 };
  for (const e of events) {
    t.input_tokens += e.input_tokens;
    t.output_tokens += e.output_tokens;
    t.cache_read_tokens += e.cache_read_tokens;
    t.cache_write_tokens += e.cache_write_tokens;
  }
  return t;
}

/** The events of one source. */
export const bySource = (source: string, events: WireEvent[]): WireEvent[] => events.filter((e) => e.source === source);

export function mtime(path: string): number {
  return statSync(path).mtimeMs;
}
