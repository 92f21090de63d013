// Kilo CLI (`kilo`), a fork of OpenCode: the same store, named kilo.db (kilo-<channel>.db for
// other release channels), in <data>/kilo; read by the OpenCode-format reader
// (opencode-store.ts), so the same traps are handled the same way: a row and a legacy JSON
// copy of one message count once, an unfinished answer waits until it completes or the
// store has been quiet a while, reasoning is added to output only when counted apart.
//
// Where: $XDG_DATA_HOME/kilo, else ~/.local/share/kilo on every OS (OpenCode and its forks
// use the XDG layout on macOS and Windows too); KILO_DATA_DIR (ccusage's override, a comma
// list) replaces it.
import { join } from 'node:path';
import type { Env } from '../config.ts';
import type { WireEvent } from '../wire.ts';
import type { Collector, ScanContext } from './context.ts';
import { pathList, xdgData } from './locations.ts';
import { scanStore, storeFiles, type StoreFormat } from './opencode-store.ts';

export const KILO_FORMAT: StoreFormat = { source: 'kilo-cli', prefix: 'kl', db: /^kilo.*\.db$/ };

export function kiloCliRoots(env: Env, home: string): string[] {
  const given = pathList(env.KILO_DATA_DIR);
  return given.length ? given : [join(xdgData(env, home), 'kilo')];
}

export const kiloCli: Collector = {
  source: 'kilo-cli',
  scan: (ctx: ScanContext): WireEvent[] => scanStore(ctx, ctx.roots.kiloCli, KILO_FORMAT),
  sqliteStores: (roots) => storeFiles(roots.kiloCli, KILO_FORMAT),
};
