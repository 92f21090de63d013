// OpenCode (FORMATS.md §3.2): <data>/opencode*.db and the legacy <data>/storage/message/
// JSON files, read by the OpenCode-format reader shared with Kilo CLI (opencode-store.ts).
import type { WireEvent } from '../wire.ts';
import type { Collector, ScanContext } from './context.ts';
import type { Rec } from './json.ts';
import { OPENCODE_FORMAT, scanStore, storeEvent, storeFiles } from './opencode-store.ts';

export function opencodeEvent(msg: Rec, salt: Buffer, sessionFallback?: string): WireEvent | null {
  return storeEvent(msg, salt, sessionFallback, OPENCODE_FORMAT);
}

export const opencode: Collector = {
  source: 'opencode',
  scan: (ctx: ScanContext): WireEvent[] => scanStore(ctx, ctx.roots.opencode, OPENCODE_FORMAT),
  sqliteStores: (roots) => storeFiles(roots.opencode, OPENCODE_FORMAT),
};
