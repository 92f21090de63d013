// ZCode (Z.ai's agentic development environment), FORMATS.md §8 / ccusage's zcode adapter:
// the CLI's usage database <zcode home>/cli/db/db.sqlite, table `model_usage`, one row per
// model call (`id`, `session_id`, `model_id`, `provider_id`, `status`, `started_at` /
// `completed_at`, `input_tokens`, `output_tokens`, `reasoning_tokens`,
// `cache_read_input_tokens`, `cache_creation_input_tokens`, and in newer schemas
// `computed_total_tokens`). The older per-project JSONL transcripts (~/.zcode/projects/)
// mostly hold no counts (tokscale estimates them from text): they are not read.
//
// Token semantics: `input_tokens` includes the cache reads and writes and `output_tokens`
// includes the reasoning tokens (tokscale's finding on real databases): they are taken out
// of input and kept in output — unless `computed_total_tokens` shows the columns were
// written apart (total = every column summed), then input is already uncached and reasoning
// is added to output. Only rows with status `completed` count (ccusage's filter): a call
// still running is read once it completes. Read with node:sqlite (sqlite.ts).
import { join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import type { Env } from '../config.ts';
import { eventId, sessionHash } from '../ids.ts';
import { cleanName, num, type Collector, type ScanContext } from './context.ts';
import { EventSink } from './sink.ts';
import { columnsOf, existingFiles, readChangedStore } from './sqlite.ts';
import { providerOf } from './provider.ts';
import { epochMs } from './time.ts';
import { pathList } from './locations.ts';

/** ZCode's homes: ZCODE_HOME (a comma list, as ccusage reads it), else ~/.zcode (the same under the user profile on every OS). */
export function zcodeRoots(env: Env, home: string): string[] {
  const given = pathList(env.ZCODE_HOME);
  return given.length ? given : [join(home, '.zcode')];
}

/** One row's counts under our counting rules: [input, output, cache read, cache write]. */
export function zcodeCounts(r: Record<string, unknown>): [number, number, number, number] {
  const input = num(r.input_tokens);
  const output = num(r.output_tokens);
  const read = num(r.cache_read_input_tokens);
  const write = num(r.cache_creation_input_tokens);
  const reasoning = num(r.reasoning_tokens);
  const total = num(r.computed_total_tokens);
  if (total && total === input + output + read + write + reasoning && total !== input + output) {
    return [input, output + reasoning, read, write];
  }
  return [input - Math.min(input, read + write), output, read, write];
}

interface StoreState {
  /** Ids (digests) of the rows already sent: a row is sent once it is completed. */
  sent: string[];
}

const store = (root: string): string => join(root, 'cli', 'db', 'db.sqlite');

export const zcode: Collector = {
  source: 'zcode',
  scan(ctx: ScanContext): WireEvent[] {
    const sink = new EventSink(ctx);
    for (const root of ctx.roots.zcode) {
      readChangedStore<StoreState>(ctx.cursors, store(root), () => ({ sent: [] }), (conn, st) => {
        const cols = columnsOf(conn, 'model_usage');
        if (!cols.has('input_tokens')) return;
        const sent = new Set(st.sent);
        for (const r of conn.prepare('SELECT * FROM model_usage').all()) {
          if (r.id === undefined || r.id === null) continue;
          const id = eventId('zc', String(r.id));
          if (sent.has(id) || (cols.has('status') && r.status !== 'completed')) continue;
          sent.add(id);
          const n = zcodeCounts(r);
          const model = cleanName(r.model_id);
          const ev: WireEvent = {
            ts: epochMs(r.completed_at) ?? epochMs(r.started_at) ?? ctx.now, provider: providerOf(model, undefined, 'zhipu'), model, is_local: false,
            input_tokens: n[0], output_tokens: n[1], cache_read_tokens: n[2], cache_write_tokens: n[3],
            id, source: 'zcode',
          };
          if (typeof r.session_id === 'string' && r.session_id) ev.session = sessionHash(ctx.salt, r.session_id);
          sink.add(ev);
        }
        st.sent = [...sent];
      });
    }
    return sink.events();
  },
  sqliteStores: (roots) => existingFiles(roots.zcode.map(store)),
};
