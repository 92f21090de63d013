// Goose (block/goose): one row per session in <data>/sessions/sessions.db (table sessions),
// holding the session's running totals, and before that store (Goose < 1.10) one
// <data>/sessions/<id>.jsonl per session whose first line is the same metadata. Goose copies
// those legacy files into the store, same id, when it first creates it, so both can exist.
//
// Counts (Goose's own Usage): `accumulated_input_tokens` includes cache reads and writes
// (Goose adds them to the provider's input), newer stores keep them apart in
// `accumulated_cache_read_tokens` / `accumulated_cache_write_tokens`, so they are taken out
// of input; older stores cannot split them and all of it is input. `accumulated_total_tokens`
// beyond input + output is reasoning the provider counted apart (Gemini's thoughts): it goes
// to output. Rows from before the accumulated columns only have the last request's counts
// (`input_tokens`, ...), used as ccusage does.
//
// Traps: the totals are cumulative (cumulative.ts makes one event per increase); a store
// being written (WAL) is read as of its last commit; the same session in the store and in
// its legacy file is one series (the larger total wins in a scan, the high-water mark across
// scans); a legacy file whose first line is still being written is read again next scan.
//
// Where: Goose's data dir is $GOOSE_PATH_ROOT/data when that is set (an absolute path),
// else the XDG data dir ($XDG_DATA_HOME or ~/.local/share)/goose on Linux and macOS,
// %APPDATA%\Block\goose\data on Windows; ccusage also looks in ~/Library/Application
// Support/goose and the older Block/goose folders, and so do we.
import { isAbsolute, join } from 'node:path';
import type { Env } from '../config.ts';
import type { WireEvent } from '../wire.ts';
import { sessionHash } from '../ids.ts';
import { fileNames, readHead, statOrNull, unchanged } from './files.ts';
import { cleanName, num, type Collector, type ScanContext } from './context.ts';
import { o, safeParse, type Rec } from './json.ts';
import { appData, unique, xdgData } from './locations.ts';
import { changedStore, existingFiles, readStore, rowsWithId, sqliteAvailable } from './sqlite.ts';
import { largestPerSeries, RunningTotals, type Counts, type Snapshot } from './cumulative.ts';
import { providerOf } from './provider.ts';

export function gooseRoots(env: Env, home: string, platform: string = process.platform): string[] {
  const root = env.GOOSE_PATH_ROOT?.trim();
  if (root && isAbsolute(root)) return [join(root, 'data', 'sessions')];
  const dirs = [join(xdgData(env, home), 'goose', 'sessions')];
  if (platform === 'win32') dirs.push(join(appData(env, home), 'Block', 'goose', 'data', 'sessions'));
  dirs.push(
    join(home, '.local', 'share', 'goose', 'sessions'),
    join(home, 'Library', 'Application Support', 'goose', 'sessions'),
    join(home, 'Library', 'Application Support', 'Block', 'goose', 'sessions'),
    join(home, '.local', 'share', 'Block', 'goose', 'sessions'),
  );
  return unique(dirs);
}

const STORE = 'sessions.db';
/** Bytes read from the top of a legacy session file: its metadata line is far shorter. */
const HEAD = 256 * 1024;

/** Goose's timestamps: SQLite's `YYYY-MM-DD HH:MM:SS` (UTC), RFC 3339, or epoch seconds/ms. */
export function gooseTime(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.floor(v > 1e12 ? v : v * 1000);
  if (typeof v !== 'string' || !v.trim()) return null;
  let s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return gooseTime(Number(s));
  // Without a zone SQLite's text is UTC; Date.parse would read it as local time.
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  else if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = `${s.replace(' ', 'T')}Z`;
  const t = Date.parse(s.replace(' ', 'T'));
  return Number.isFinite(t) && t > 0 ? t : null;
}

/** The running total of one session row (or legacy metadata line), by our counting rules. */
export function gooseCounts(r: Rec): Counts {
  // Per count: the accumulated value when there is one, else the last request's (ccusage's rule).
  const pick = (k: string): number => num(r[`accumulated_${k}`]) || num(r[k]);
  const inputAll = pick('input_tokens');
  const output = pick('output_tokens');
  const total = pick('total_tokens') || inputAll + output;
  const read = pick('cache_read_tokens');
  const write = pick('cache_write_tokens');
  const reasoning = Math.max(0, total - inputAll - output);
  return [Math.max(0, inputAll - read - write), output + reasoning, Math.min(read, inputAll), Math.min(write, Math.max(0, inputAll - read)), 0];
}

function snapshot(ctx: ScanContext, root: string, id: string, r: Rec, fallbackTs: number): Snapshot {
  const config = o(r.model_config_json !== undefined ? safeParse(typeof r.model_config_json === 'string' ? r.model_config_json : null) : r.model_config);
  const name = typeof config?.model_name === 'string' ? config.model_name.trim() : '';
  const model = cleanName(name);
  const provider = providerOf(model, r.provider_name);
  return {
    series: `${root}\u0000${id}`,
    generation: r.created_at === undefined || r.created_at === null ? '' : String(r.created_at),
    counts: gooseCounts(r),
    ts: gooseTime(r.updated_at) ?? gooseTime(r.created_at) ?? fallbackTs,
    provider, model, session: sessionHash(ctx.salt, id),
  };
}

const COLUMNS = ['id', 'created_at', 'updated_at', 'provider_name', 'model_config_json',
  ...['input', 'output', 'total', 'cache_read', 'cache_write'].flatMap((k) => [`${k}_tokens`, `accumulated_${k}_tokens`])];

function storeSnapshots(ctx: ScanContext, root: string, out: Snapshot[]): void {
  const db = join(root, STORE);
  const changed = changedStore(ctx.cursors, db);
  if (!changed) return;
  const read = readStore(db, (conn) => {
    for (const r of rowsWithId(conn, 'sessions', COLUMNS)) {
      out.push(snapshot(ctx, root, r.id, r, Math.floor(Math.max(changed.stat.mtimeMs, changed.wal))));
    }
  });
  if (read) changed.done();
}

function legacySnapshots(ctx: ScanContext, root: string, out: Snapshot[]): void {
  for (const name of fileNames(root).filter((n) => n.endsWith('.jsonl'))) {
    const path = join(root, name);
    const stat = statOrNull(path);
    if (!stat) continue;
    const cursor = ctx.cursors.get(path);
    if (unchanged(cursor, stat)) continue;
    // Only the first line (the metadata) carries counts; the messages after it are never read.
    const head = readHead(path, HEAD);
    const nl = head.indexOf('\n');
    // No line end yet: the first line is still being written, read it again next scan
    // (unless it is longer than any metadata line: then it is no Goose session).
    if (nl < 0 && head.length < HEAD) continue;
    const meta = nl < 0 ? null : o(safeParse(head.slice(0, nl)));
    if (meta) out.push(snapshot(ctx, root, name.slice(0, -'.jsonl'.length), meta, stat.mtimeMs));
    ctx.cursors.set(path, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size });
  }
}

export const goose: Collector = {
  source: 'goose',
  scan(ctx: ScanContext): WireEvent[] {
    const snaps: Snapshot[] = [];
    for (const root of ctx.roots.goose) {
      if (sqliteAvailable()) storeSnapshots(ctx, root, snaps);
      legacySnapshots(ctx, root, snaps);
    }
    const totals = new RunningTotals(ctx, 'goose', 'gs');
    return largestPerSeries(snaps).flatMap((s) => totals.advance(s));
  },
  sqliteStores: (roots) => existingFiles(roots.goose.map((r) => join(r, STORE))),
};
