// Helpers for the tools' default locations and environment overrides (each collector file
// says where its tool keeps its data; config.ts calls those functions once at start-up).
// The overrides take comma lists, as ccusage's *_DIR variables do.
import { join } from 'node:path';
import type { Env } from '../config.ts';

/** A comma-separated list of paths (ccusage accepts lists for its overrides; so do we). */
export function pathList(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The same paths once each, in order. */
export function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

/** XDG_DATA_HOME, or ~/.local/share. */
export function xdgData(env: Env, home: string): string {
  return env.XDG_DATA_HOME || join(home, '.local', 'share');
}

/** %APPDATA% (Roaming), or its usual place under the home. */
export function appData(env: Env, home: string): string {
  return env.APPDATA || join(home, 'AppData', 'Roaming');
}

/** %LOCALAPPDATA%, or its usual place under the home. */
export function localAppData(env: Env, home: string): string {
  return env.LOCALAPPDATA || join(home, 'AppData', 'Local');
}
