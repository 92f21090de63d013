// Where VS Code and its forks keep a user's data, for the collectors that read an
// extension's or the chat's files there (Cline, Roo Code, Kilo Code, Copilot Chat).
//
// A desktop editor's user dir is <appData>/<product>/User, where appData follows VS Code's
// own rules (src/vs/platform/environment/node/userDataPath.ts): VSCODE_PORTABLE
// (<portable>/user-data), else VSCODE_APPDATA, else %APPDATA% (Windows),
// ~/Library/Application Support (macOS), $XDG_CONFIG_HOME or ~/.config (Linux). A remote
// server (SSH, WSL, containers, Codespaces) keeps it under ~/.vscode-server/data/User and
// its forks' equivalents, or $VSCODE_AGENT_FOLDER/data/User. Extensions in a non-default
// profile store under User/profiles/<id>/globalStorage, so profiles are listed at scan time.
import { join } from 'node:path';
import type { Env } from '../config.ts';
import { isDir, readWhole, subdirs } from './files.ts';
import { o, safeParse, str } from './json.ts';
import { appData } from './locations.ts';

/** Desktop product folder names: VS Code, Insiders, OSS builds, VSCodium, Cursor, Windsurf. */
const PRODUCTS = ['Code', 'Code - Insiders', 'Code - OSS', 'VSCodium', 'VSCodium - Insiders', 'Cursor', 'Windsurf'];
/** Remote-server data folders in the home directory (same products). */
const SERVERS = ['.vscode-server', '.vscode-server-insiders', '.vscode-remote', '.vscodium-server', '.cursor-server', '.windsurf-server'];
/** Linux sandboxed installs: Flatpak and Snap keep their own config dir. */
const SANDBOXED = [
  ['.var', 'app', 'com.visualstudio.code', 'config', 'Code'],
  ['.var', 'app', 'com.vscodium.codium', 'config', 'VSCodium'],
  ['snap', 'code', 'current', '.config', 'Code'],
];

/** Every VS Code-family `User` directory this machine may have (existing or not). */
export function editorUserDirs(env: Env, home: string, platform: NodeJS.Platform = process.platform): string[] {
  const out: string[] = [];
  if (env.VSCODE_PORTABLE) out.push(join(env.VSCODE_PORTABLE, 'user-data', 'User'));
  const base = env.VSCODE_APPDATA
    || (platform === 'win32' ? appData(env, home)
      : platform === 'darwin' ? join(home, 'Library', 'Application Support')
        : env.XDG_CONFIG_HOME || join(home, '.config'));
  for (const p of PRODUCTS) out.push(join(base, p, 'User'));
  if (platform === 'linux' && !env.VSCODE_APPDATA) for (const parts of SANDBOXED) out.push(join(home, ...parts, 'User'));
  if (env.VSCODE_AGENT_FOLDER) out.push(join(env.VSCODE_AGENT_FOLDER, 'data', 'User'));
  for (const s of SERVERS) out.push(join(home, s, 'data', 'User'));
  return [...new Set(out)];
}

/**
 * The user dir itself and each of its profiles (User/profiles/<id>), which exist now; none
 * when the editor is not installed (most of the 16 places are not there: one stat each
 * instead of a failed look-up per file a source would read below it).
 */
export function profileDirs(userDir: string): string[] {
  if (!isDir(userDir)) return [];
  // Usually there are none.
  return [userDir, ...subdirs(join(userDir, 'profiles')).map((id) => join(userDir, 'profiles', id))];
}

/**
 * A string setting from a user/profile `settings.json`. The file is JSON with comments and
 * trailing commas (JSONC): both are removed outside strings before parsing.
 */
export function editorSetting(settingsDir: string, key: string): string | null {
  const text = readWhole(join(settingsDir, 'settings.json'));
  if (!text) return null;
  const v = o(safeParse(stripJsonc(text)))?.[key];
  return str(v) ?? null;
}

export function stripJsonc(text: string): string {
  let out = '';
  let comma = -1; // where in `out` a comma waits to learn whether a } or ] follows it
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // A string literal is copied whole (escapes included).
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      comma = -1;
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if ((c === '}' || c === ']') && comma >= 0) {
      out = out.slice(0, comma) + out.slice(comma + 1) + c;
      comma = -1;
    } else {
      if (c === ',') comma = out.length;
      else if (!/\s/.test(c)) comma = -1;
      out += c;
    }
  }
  return out;
}

/** Where one VS Code-family source looks: the editors' user dirs, plus folders of its own. */
export interface EditorRoots {
  /** VS Code-family `User` dirs (editorUserDirs). */
  editors: string[];
  /** Folders outside the editors that hold the same store (e.g. Cline's ~/.cline/data). */
  stores: string[];
}

/**
 * An extension's storage folders: <User or profile>/globalStorage/<extId> in every editor,
 * the folder a `<settingKey>` setting (Roo's and Kilo's customStoragePath) moves it to,
 * and the source's own stores.
 */
export function extensionStores(roots: EditorRoots, extId: string, settingKey?: string): string[] {
  const out: string[] = [];
  for (const user of roots.editors) {
    for (const dir of profileDirs(user)) {
      out.push(join(dir, 'globalStorage', extId));
      const custom = settingKey ? editorSetting(dir, settingKey) : null;
      if (custom) out.push(custom);
    }
  }
  return [...new Set([...out, ...roots.stores])];
}
