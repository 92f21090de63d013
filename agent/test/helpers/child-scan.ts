// Child process for the OpenCode SQLite tests (run under a Node with node:sqlite): one
// scan of HOME's logs with the saved cursors, printed as JSON lines, cursors committed.
// argv: home, state dir, how far ahead of the real clock "now" is (ms).
import { logRootsFrom } from '../../config.ts';
import { scanLogs } from '../../collectors/index.ts';

const [home, state, ahead] = process.argv.slice(2);
const r = scanLogs({ stateDir: state, roots: logRootsFrom({}, home), salt: Buffer.alloc(32, 7), now: Date.now() + Number(ahead ?? 0) });
r.commit();
for (const e of r.events) process.stdout.write(`${JSON.stringify(e)}\n`);
