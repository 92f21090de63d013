// `collect`: one scan of the local logs. --dry-run sends and saves nothing.
import { scanLogs, sqliteNotice, sqliteSkipped } from '../collectors/index.ts';
import { loadSalt } from '../collectors/context.ts';
import { Outbox } from '../outbox.ts';
import { Flusher, type FlushOutcome } from '../flusher.ts';
import { configOf, fmtCounts, UsageError, type Io } from './common.ts';

export function sinceOf(v: string | undefined): number | null {
  if (v === undefined) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const t = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime() : NaN;
  if (!m || !Number.isFinite(t) || new Date(t).getDate() !== Number(m[3])) throw new UsageError(`--since must be a date as YYYY-MM-DD, got "${v}"`);
  return t;
}

const WHY: Record<Exclude<FlushOutcome, 'empty'>, string> = {
  retry: 'the server could not take them now',
  blocked: 'the server refused the agent token (401); run `login` again',
  busy: 'another agent process is sending or still writing them',
  'no-login': 'the agent is not logged in; run `login --server URL --user ID --token TOKEN`',
  waiting: 'waiting to retry',
};

/**
 * One JSON object per line, written in pieces of about 64 KB: a write per line was a
 * system call per event (tens of thousands for a year of history), and writing all at
 * once would hold the whole output in memory while a slower pipe reader catches up.
 */
export async function printJsonLines(io: Io, items: readonly unknown[]): Promise<void> {
  let piece = '';
  for (let i = 0; i < items.length; i++) {
    piece += JSON.stringify(items[i]);
    if (piece.length >= 64 * 1024 || i === items.length - 1) {
      io.out(piece);
      piece = '';
      await io.drained?.();
    } else piece += '\n';
  }
}

export async function collect(io: Io, opts: { since?: string; dryRun: boolean; json: boolean }): Promise<number> {
  const cfg = configOf(io);
  const sinceMs = sinceOf(opts.since);
  const scan = scanLogs({ stateDir: cfg.stateDir, roots: cfg.logRoots, salt: loadSalt(cfg.stateDir), sinceMs });
  // On stderr, so that --dry-run --json still prints only events.
  const notice = sqliteNotice(sqliteSkipped(cfg.logRoots));
  if (notice) io.err(`collect: ${notice}`);
  if (opts.dryRun) {
    if (opts.json) await printJsonLines(io, scan.events);
    else io.out(`dry run: ${scan.events.length} events would be sent (${fmtCounts(scan.bySource)}); nothing sent, nothing saved`);
    return 0;
  }
  const outbox = new Outbox(cfg.stateDir);
  // Counted before the append: afterwards it would re-read every event just queued.
  const total = outbox.pending().total + scan.events.length;
  outbox.append(scan.events);
  outbox.close();
  // A --since scan skips older events, so its cursors must not hide them from later scans.
  if (sinceMs === null) scan.commit();
  io.err(`collect: found ${scan.events.length} new events (${fmtCounts(scan.bySource)}); ${total} in the queue`);
  const flusher = new Flusher(outbox, cfg.stateDir, cfg.login, {
    onProgress: (sent) => io.err(`collect: sent ${sent}/${total}`),
  });
  let outcome: FlushOutcome = await flusher.flush({ ignoreBackoff: true });
  // `run` may be sending right now; it holds the lock only while it drains.
  for (let i = 0; outcome === 'busy' && i < 120; i++) {
    await new Promise((r) => setTimeout(r, 500));
    outcome = await flusher.flush({ ignoreBackoff: true });
  }
  const left = outbox.pending().total;
  if (outcome === 'empty' && left === 0) {
    io.err('collect: the server has everything; the queue is empty');
    return 0;
  }
  const err = flusher.state().last_error;
  io.err(`collect: ${left} events stay queued for \`run\`: ${WHY[outcome === 'empty' ? 'busy' : outcome]}${err && outcome === 'retry' ? ` (${err.error})` : ''}`);
  return outcome === 'retry' || outcome === 'busy' || outcome === 'empty' ? 0 : 1;
}
