// Pi (badlogic/pi-mono), FORMATS.md §8: <agent dir>/sessions/<encoded cwd>/<time>_<uuid>.jsonl,
// appended as the session goes (format: pi-format.ts). The session id is the `session`
// header's `id` (else the file name's uuid). Traps handled: a half-written last line waits
// for the next scan; a forked session repeats earlier entries (same ids: counted once);
// assistant messages that failed (zero usage) make no event.
import { basename, join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { sessionHash } from '../ids.ts';
import { findFiles } from './files.ts';
import type { Collector, ScanContext } from './context.ts';
import { o, safeParse } from './json.ts';
import { readNewLines } from './incremental.ts';
import { EventSink } from './sink.ts';
import { piMessageEvent, piModelChange, type PiContext } from './pi-format.ts';
import { pathList } from './locations.ts';

/**
 * Pi's session folders: PI_AGENT_DIR (ccusage's variable: one sessions folder or a comma
 * list), else `${PI_CODING_AGENT_DIR:-~/.pi/agent}/sessions` (Pi's own variable; the same
 * folder under the user profile on macOS and Windows).
 */
export function piRoots(env: Env, home: string): string[] {
  const given = pathList(env.PI_AGENT_DIR);
  return given.length ? given : [join(env.PI_CODING_AGENT_DIR || join(home, '.pi', 'agent'), 'sessions')];
}

const NEEDLES = ['"usage"', '"session"', '"model_change"'].map((s) => Buffer.from(s));

export const pi: Collector = {
  source: 'pi',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const root of ctx.roots.pi) {
      for (const file of findFiles(root, (n) => n.endsWith('.jsonl'))) {
        const stem = basename(file.path, '.jsonl');
        const fromName = stem.includes('_') ? stem.slice(stem.indexOf('_') + 1) : stem;
        readNewLines<PiContext>(ctx, file, NEEDLES, () => ({ session: sessionHash(ctx.salt, fromName) }), (text, read) => {
          const entry = o(safeParse(text));
          if (!entry) return;
          if (entry.type === 'session' && typeof entry.id === 'string' && read.fromStart) {
            read.state.session = sessionHash(ctx.salt, entry.id);
            return;
          }
          if (piModelChange(entry, read.state)) return;
          sink.add(piMessageEvent(entry, read.state, 'pi', 'pi'));
        });
      }
    }
    return sink.events();
  },
};
