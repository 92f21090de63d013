// Hermes Agent (NousResearch/hermes-agent): <home>/state.db (SQLite, WAL), one row per
// session in `sessions` with the session's running totals: input_tokens, output_tokens,
// cache_read_tokens, cache_write_tokens, reasoning_tokens, plus model, billing_provider,
// started_at (epoch seconds). The same counters are the ones ccusage 20 reads.
//
// Counts: Hermes normalises every provider's usage before adding it up: input_tokens is the
// input not read from or written to cache (it subtracts both), cache reads and writes are
// their own counters, and output_tokens already includes reasoning (reasoning_tokens is a
// breakdown Hermes keeps for display, e.g. OpenAI's completion_tokens_details), so it is
// not added again.
//
// Traps: the totals are cumulative (cumulative.ts: one event per increase); the store is
// written while Hermes runs and is read as of its last commit; a session id reused after a
// delete has a new started_at, so it counts as a new series. The time of an increase is the
// session's last message (messages.timestamp), else its end or start.
//
// Where: $HERMES_HOME (Hermes's own override; a comma list as ccusage accepts), else
// ~/.hermes, and on Windows also %LOCALAPPDATA%\hermes.
import { join } from 'node:path';
import type { Env } from '../config.ts';
import type { WireEvent } from '../wire.ts';
import { sessionHash } from '../ids.ts';
import { cleanName, num, type Collector, type ScanContext } from './context.ts';
import { localAppData, pathList, unique } from './locations.ts';
import { changedStore, columnsOf, existingFiles, readStore, rowsWithId, sqliteAvailable } from './sqlite.ts';
import { RunningTotals, type Snapshot } from './cumulative.ts';
import { providerOf } from './provider.ts';
// Hermes's REAL columns are epoch seconds.
import { epochMs } from './time.ts';

export function hermesRoots(env: Env, home: string, platform: string = process.platform): string[] {
  const given = pathList(env.HERMES_HOME);
  if (given.length) return given;
  const dirs = [join(home, '.hermes')];
  if (platform === 'win32') dirs.push(join(localAppData(env, home), 'hermes'));
  return unique(dirs);
}

const STORE = 'state.db';

const COLUMNS = ['id', 'model', 'billing_provider', 'started_at', 'ended_at', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'];

export const hermes: Collector = {
  source: 'hermes',
  scan(ctx: ScanContext): WireEvent[] {
    if (!sqliteAvailable()) return [];
    const totals = new RunningTotals(ctx, 'hermes', 'hm');
    const out: WireEvent[] = [];
    for (const root of ctx.roots.hermes) {
      const db = join(root, STORE);
      const changed = changedStore(ctx.cursors, db);
      if (!changed) continue;
      const read = readStore(db, (conn) => {
        const lastMessage = columnsOf(conn, 'messages').has('timestamp')
          ? conn.prepare('SELECT MAX(timestamp) AS t FROM messages WHERE session_id = ?') : null;
        for (const r of rowsWithId(conn, 'sessions', COLUMNS)) {
          const model = cleanName(typeof r.model === 'string' ? r.model.trim() : '');
          const snap: Snapshot = {
            series: `${root}\u0000${r.id}`,
            generation: r.started_at === null || r.started_at === undefined ? '' : String(r.started_at),
            counts: [num(r.input_tokens), num(r.output_tokens), num(r.cache_read_tokens), num(r.cache_write_tokens), 0],
            // Only a session that grew needs its time: its last message, else its end or start.
            ts: () => epochMs(lastMessage?.all(r.id)[0]?.t) ?? epochMs(r.ended_at) ?? epochMs(r.started_at) ?? Math.floor(Math.max(changed.stat.mtimeMs, changed.wal)),
            provider: providerOf(model, typeof r.billing_provider === 'string' ? r.billing_provider.toLowerCase() : undefined),
            model, session: sessionHash(ctx.salt, r.id),
          };
          out.push(...totals.advance(snap));
        }
      });
      if (read) changed.done();
    }
    return out;
  },
  sqliteStores: (roots) => existingFiles(roots.hermes.map((r) => join(r, STORE))),
};
