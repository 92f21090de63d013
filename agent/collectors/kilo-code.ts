// Kilo Code's VS Code extension (source `kilo-code`) up to 5.x, a fork of Roo Code: the
// same task store and semantics (roo-code.ts), with Roo's whole-prompt `tokensIn` taken in
// Kilo v4.119.0 (2025-11-12). Kilo Code 7 is a rewrite on the Kilo CLI's core and keeps
// its sessions in the CLI's kilo.db, which the `kilo-cli` collector reads, not this one.
// Locations: globalStorage/kilocode.kilo-code of every VS Code-family editor (and profile)
// and the `kilo-code.customStoragePath` setting of each.
import type { Env } from '../config.ts';
import type { Collector, ScanContext } from './context.ts';
import { scanTasks } from './cline-tasks.ts';
import { rooFlavor } from './roo-code.ts';
import { editorUserDirs, extensionStores, type EditorRoots } from './vscode-dirs.ts';

export function kiloCodeRoots(env: Env, home: string, platform: NodeJS.Platform = process.platform): EditorRoots {
  return { editors: editorUserDirs(env, home, platform), stores: [] };
}

const KILO_TOTAL_INPUT_SINCE = Date.UTC(2025, 10, 12); // v4.119.0, 2025-11-12

export const kiloCode: Collector = {
  source: 'kilo-code',
  scan(ctx: ScanContext) {
    return scanTasks(ctx, rooFlavor('kilo-code', 'kc', KILO_TOTAL_INPUT_SINCE), extensionStores(ctx.roots.kiloCode, 'kilocode.kilo-code', 'kilo-code.customStoragePath'));
  },
};
