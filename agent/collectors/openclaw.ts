// OpenClaw (formerly Clawdbot / Moltbot), FORMATS.md §8: Pi-format transcripts
// (pi-format.ts) at <state dir>/agents/<agent>/sessions/<session>.jsonl, and newer builds'
// SQLite store <state dir>/agents/<agent>/agent/openclaw-agent.sqlite (table
// transcript_events: the same entries as JSON, one row each, in `seq` order), which ccusage
// 20 reads too.
//
// Traps handled:
// - rotated transcripts: a reset or deleted session is renamed `<session>.jsonl.reset.<time>`
//   / `.jsonl.deleted.<time>` and a new `<session>.jsonl` begins: all are read, and entries
//   met again under another name have the same ids (counted once);
// - the JSONL files and the SQLite store describe the same entries: same ids, one event;
// - the model is often only on a preceding `model_change` / `model-snapshot` entry: it is
//   carried per file (per session in the store) across scans;
// - half-written last lines wait; old directory names (.clawdbot, .moltbot, .moldbot) and
//   profile folders (~/.openclaw-<profile>) are read too.
import { join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash } from '../ids.ts';
import { fileNames, findFiles } from './files.ts';
import { num, type Collector, type ScanContext } from './context.ts';
import { o, safeParse } from './json.ts';
import { readNewLines } from './incremental.ts';
import { EventSink } from './sink.ts';
import { piMessageEvent, piModelChange, type PiContext } from './pi-format.ts';
import { readChangedStore } from './sqlite.ts';
import { pathList, unique } from './locations.ts';
import { epochMs } from './time.ts';

const OLD_NAMES = ['.clawdbot', '.moltbot', '.moldbot'];

/**
 * OpenClaw's state folders: OPENCLAW_DIR (ccusage's variable, a comma list), else
 * OPENCLAW_STATE_DIR (OpenClaw's own; CLAWDBOT_STATE_DIR before the rename) or ~/.openclaw,
 * its `--profile` twins ~/.openclaw-<name>, and the older ~/.clawdbot, ~/.moltbot, ~/.moldbot
 * (the same under the user profile on every OS).
 */
export function openclawRoots(env: Env, home: string): string[] {
  const given = pathList(env.OPENCLAW_DIR);
  if (given.length) return given;
  const profiles = fileNames(home).filter((n) => n.startsWith('.openclaw-')).sort().map((n) => join(home, n));
  return unique([
    env.OPENCLAW_STATE_DIR || join(home, '.openclaw'), ...profiles,
    ...(env.CLAWDBOT_STATE_DIR ? [env.CLAWDBOT_STATE_DIR] : []), ...OLD_NAMES.map((n) => join(home, n)),
  ]);
}

const NEEDLES = ['"usage"', '"model_change"', '"model-snapshot"'].map((s) => Buffer.from(s));
const TRANSCRIPT = /\.jsonl(\.(reset|deleted)\..+)?$/;

interface StoreState {
  /** Per session (by hash): the last `seq` read and the model context so far. */
  sessions: Record<string, { seq: number; c: PiContext }>;
}

function readTranscripts(ctx: ScanContext, root: string, sink: EventSink): void {
  for (const file of findFiles(join(root, 'agents'), (n) => TRANSCRIPT.test(n))) {
    const name = file.path.slice(Math.max(file.path.lastIndexOf('/'), file.path.lastIndexOf('\\')) + 1);
    const fallbackTs = Math.floor(file.stat.mtimeMs);
    // The session hash (an HMAC) only for a file that is read.
    readNewLines<PiContext>(ctx, file, NEEDLES, () => ({ session: sessionHash(ctx.salt, name.slice(0, name.indexOf('.jsonl'))) }), (text, read) => {
      const entry = o(safeParse(text));
      if (!entry || piModelChange(entry, read.state)) return;
      sink.add(piMessageEvent(entry, read.state, 'openclaw', 'ocl', fallbackTs));
    });
  }
}

/** The agents' SQLite stores under one state folder. */
const agentStores = (root: string): string[] => findFiles(join(root, 'agents'), (n) => n === 'openclaw-agent.sqlite').map((f) => f.path);

function readAgentStores(ctx: ScanContext, root: string, sink: EventSink): void {
  for (const db of agentStores(root)) {
    readChangedStore<StoreState>(ctx.cursors, db, () => ({ sessions: {} }), (conn, st) => {
      const rows = conn.prepare('SELECT session_id, seq, event_json, created_at FROM transcript_events ORDER BY session_id, seq').all();
      for (const row of rows) {
        if (typeof row.session_id !== 'string') continue;
        const key = eventId('s', row.session_id);
        const s = (st.sessions[key] ??= { seq: -1, c: { session: sessionHash(ctx.salt, row.session_id) } });
        const seq = num(row.seq);
        if (seq <= s.seq) continue;
        s.seq = seq;
        const entry = o(safeParse(typeof row.event_json === 'string' ? row.event_json : null));
        if (!entry || piModelChange(entry, s.c)) continue;
        sink.add(piMessageEvent(entry, s.c, 'openclaw', 'ocl', epochMs(row.created_at) ?? undefined));
      }
    });
  }
}

export const openclaw: Collector = {
  source: 'openclaw',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const root of ctx.roots.openclaw) {
      readTranscripts(ctx, root, sink);
      readAgentStores(ctx, root, sink);
    }
    return sink.events();
  },
  sqliteStores: (roots) => roots.openclaw.flatMap(agentStores),
};
