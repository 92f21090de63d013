// The walk for stores of one small file per record that can yield nothing new once it has
// been read to its end (OpenCode's and Kilo CLI's storage/message/<session>/<message>.json:
// one message, one event id). A rescan with nothing new otherwise stats every such file
// (thousands), so a directory whose files were all final when it was last listed is
// skipped whole while its mtime and inode stay the same. Why that is sound:
// - a directory's mtime changes whenever an entry is added, removed or renamed in it, so an
//   unchanged mtime means the same files as at the last listing (a new message is found);
// - it does not change when a file inside is rewritten in place, but a final file's record
//   has been counted: a rewrite carries the same message id, so the same event id, which the
//   server takes as a duplicate (DESIGN: a stored id changes nothing);
// - a file that was not final (not finished yet, or caught half-written) keeps its directory
//   listed and itself stat'ed at every scan, as before;
// - timestamps are coarse (a clock tick on Linux, 1 s on HFS+, 2 s on FAT) and a network
//   filesystem's clock may differ from ours: a change right after a listing could carry the
//   mtime the listing saw. So a directory is only trusted once its mtime is DIR_QUIET_MS older
//   than the listing; a later change then carries a later mtime.
import { readdirSync, statSync } from 'node:fs';
import type { FoundFile } from './files.ts';
import { childPath, statOrNull } from './files.ts';
import type { ScanContext } from './context.ts';

export const DIR_QUIET_MS = 10_000;

/**
 * Calls `visit` for each file under `root` whose name passes `accept`, except in the
 * directories skipped as above; `visit` reads the file if it changed and answers whether
 * it is final now (nothing it may later hold can count).
 */
export function eachUnfinishedFile(ctx: ScanContext, root: string, accept: (name: string) => boolean, visit: (file: FoundFile) => boolean): void {
  const walk = (dir: string): void => {
    const st = statOrNull(dir);
    if (!st?.isDirectory()) return;
    const last = ctx.cursors.dir(dir);
    if (last && last.dev === st.dev && last.ino === st.ino && last.mtimeMs === st.mtimeMs && typeof last.files === 'string') {
      ctx.cursors.keepDir(dir, last);
      return;
    }
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    // Only a directory of files can be skipped: its subdirectories have their own mtimes.
    let allFinal = true;
    let keys = '';
    for (const e of entries) {
      const path = childPath(dir, e.name, dir === root);
      if (e.isDirectory()) {
        walk(path);
        allFinal = false;
      } else if (e.isFile() && accept(e.name)) {
        let stat;
        try {
          stat = statSync(path);
        } catch {
          allFinal = false; // deleted between listing and stat
          continue;
        }
        if (!visit({ path, stat })) allFinal = false;
        keys += ctx.cursors.key(path);
      }
    }
    if (allFinal && ctx.now - st.mtimeMs >= DIR_QUIET_MS) ctx.cursors.setDir(dir, { dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, files: keys });
  };
  walk(root);
}
