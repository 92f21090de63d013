// Kimi CLI (MoonshotAI/kimi-cli), FORMATS.md §8: <share dir>/sessions/<work-dir hash>/
// <session id>/wire.jsonl, the session's wire protocol log, appended as it runs. Each step
// (one model call) is followed by a `StatusUpdate` whose `token_usage` is that step's usage —
// not a running total: `input_other` (uncached input), `input_cache_read`,
// `input_cache_creation`, `output` — and whose `message_id` is the provider's response id.
// Timestamps are Unix seconds. The wire log names no model: it is the configured default
// (<share dir>/config.json `model` / config.toml `default_model`, as ccusage reads it).
//
// Traps handled: a StatusUpdate repeated for the same message_id (a refresh of the status
// line) counts once, its largest snapshot kept; a half-written last line waits; the
// metadata header and updates without token usage make no event.
import { basename, dirname, join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash } from '../ids.ts';
import { findFiles, readWhole } from './files.ts';
import { cleanName, num, type Collector, type ScanContext } from './context.ts';
import { o, safeParse } from './json.ts';
import { readNewLines } from './incremental.ts';
import { EventSink } from './sink.ts';
import { epochMs } from './time.ts';
import { pathList } from './locations.ts';

/**
 * Kimi CLI's share folders: KIMI_DATA_DIR (ccusage's variable, a comma list), else
 * KIMI_SHARE_DIR (Kimi CLI's own) or ~/.kimi (%USERPROFILE%\.kimi on Windows).
 */
export function kimiRoots(env: Env, home: string): string[] {
  const given = pathList(env.KIMI_DATA_DIR);
  return given.length ? given : [env.KIMI_SHARE_DIR || join(home, '.kimi')];
}

const NEEDLES = [Buffer.from('"token_usage"')];
const DEFAULT_MODEL = 'kimi-for-coding';

/** The configured default model of a Kimi share folder. */
export function kimiModel(root: string): string {
  const json = o(safeParse(readWhole(join(root, 'config.json'))));
  const fromJson = json?.model ?? json?.default_model;
  if (typeof fromJson === 'string' && fromJson.trim()) return cleanName(fromJson);
  const toml = readWhole(join(root, 'config.toml')) ?? '';
  const m = /^\s*default_model\s*=\s*"([^"\n]+)"/m.exec(toml);
  return m ? cleanName(m[1]) : DEFAULT_MODEL;
}

interface FileState {
  session: string;
  /** The last StatusUpdate's event, held while the file grows (a repeat may follow). */
  held?: WireEvent;
}

const total = (e: WireEvent): number => e.input_tokens + e.output_tokens + e.cache_read_tokens + e.cache_write_tokens;

export const kimiCli: Collector = {
  source: 'kimi-cli',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const root of ctx.roots.kimi) {
      const sessions = join(root, 'sessions');
      const files = findFiles(sessions, (n, rel) => n === 'wire.jsonl' && rel.split('/').length === 2);
      if (!files.length) continue;
      const model = kimiModel(root);
      for (const file of files) {
        // The session hash (an HMAC) only for a file that is read.
        readNewLines<FileState>(ctx, file, NEEDLES, () => ({ session: sessionHash(ctx.salt, basename(dirname(file.path))) }), (text, read) => {
          const line = o(safeParse(text));
          const msg = o(line?.message);
          const payload = o(msg?.payload);
          const u = o(payload?.token_usage);
          if (!line || msg?.type !== 'StatusUpdate' || !u) return;
          const ts = epochMs(line.timestamp) ?? Math.floor(file.stat.mtimeMs);
          const messageId = typeof payload!.message_id === 'string' && payload!.message_id ? payload!.message_id : null;
          const ev: WireEvent = {
            ts, provider: 'moonshot', model, is_local: false,
            input_tokens: num(u.input_other), output_tokens: num(u.output),
            cache_read_tokens: num(u.input_cache_read), cache_write_tokens: num(u.input_cache_creation),
            id: messageId ? eventId('km', messageId) : eventId('km', read.state.session, ts, num(u.input_other), num(u.output), num(u.input_cache_read), num(u.input_cache_creation)),
            source: 'kimi-cli', session: read.state.session,
          };
          const held = read.state.held;
          if (held && held.id === ev.id) {
            if (total(ev) > total(held)) read.state.held = ev;
            return;
          }
          if (held) sink.add(held);
          read.state.held = ev;
        }, (read) => {
          if (read.settled && read.state.held) {
            sink.add(read.state.held);
            delete read.state.held;
          }
        }, (st) => !!st.held);
      }
    }
    return sink.events();
  },
};
