// `npm run drill -- disk-full`: the server's data dir on a small file system (a tmpfs of
// DRILL_FS_MB, 32 MB, mounted here: needs root; otherwise one "skipped" line and exit 0)
// that fills up while 10 simulated agents (signed batches of up to 100 events every
// ~300 ms, resent while refused) and 2 real agents (`agent run`, the bundle, state dirs
// elsewhere) keep sending. Phases over DRILL_SECONDS (30): 20% normal, 50% with the file
// system full (a filler file takes every byte left), 30% after the filler is deleted.
// Invariants: while full, ingest answers 503 with code storage_full (no 500, no other
// error), no refused batch has any event stored, no batch is stored in part, the real
// agents keep their queues (nothing set aside); once there is room, everything arrives
// exactly once (raw events, rollups, read model).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmdirSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { accounts, cores, engine, ensureBuilt, figure, freePort, startServerProcess, type ServerProcess } from '../bench/_lib.ts';
import { compare, drainedAgents, drillSeconds, Latencies, progress, serverLog, SimAgent, sleep, startRealAgents, storedTotals, type RealAgents } from './_common.ts';

const SIM_AGENTS = 10;
const REAL_AGENTS = 2;
const FS_MB = Number(process.env.DRILL_FS_MB ?? 32);
const SECONDS = drillSeconds(30);

/** Writes a file until the file system has no byte left; its size in MB. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let bytes = 0;
  try {
    for (;;) bytes += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // The last bytes that fit in a smaller write.
  for (const size of [4096, 512, 1]) {
    try {
      for (;;) bytes += writeSync(fd, chunk.subarray(0, size));
    } catch { /* full at this size */ }
  }
  closeSync(fd);
  return Math.round(bytes / 1e5) / 10;
}

/** Event ids stored per user, read straight from the file (read-only: the server is still writing). */
async function storedIds(file: string): Promise<Map<number, Set<string>>> {
  const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
  try {
    const rows = await new Promise<{ user_id: number; event_id: string }[]>((ok, fail) => db.all('SELECT user_id, event_id FROM usage_events', (e, r) => (e ? fail(e) : ok(r as never))));
    const out = new Map<number, Set<string>>();
    for (const r of rows) {
      if (!out.has(r.user_id)) out.set(r.user_id, new Set());
      out.get(r.user_id)!.add(r.event_id);
    }
    return out;
  } finally {
    await new Promise<void>((ok) => db.close(() => ok()));
  }
}

/** Batches stored in part (some of their events, not all), over every batch the agents made. */
function partial(sims: SimAgent[], ids: Map<number, Set<string>>): number {
  let n = 0;
  for (const s of sims) {
    const mine = ids.get(s.acct.user_id) ?? new Set<string>();
    for (const batch of s.batches) {
      const stored = batch.filter((id) => mine.has(id)).length;
      if (stored !== 0 && stored !== batch.length) n++;
    }
  }
  return n;
}

export default async function diskFullDrill(): Promise<boolean> {
  if (engine() !== 'sqlite') {
    figure('disk-full', 'skipped', { skipped: 'on PostgreSQL the database is not in the data dir; run it with --db sqlite', ok: true });
    return true;
  }
  if (process.getuid?.() !== 0) {
    figure('disk-full', 'skipped', { skipped: 'needs root to mount a small filesystem', ok: true });
    return true;
  }
  ensureBuilt();
  const mnt = mkdtempSync(join(tmpdir(), 'tb-drill-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FS_MB}m,mode=0700`, 'tmpfs', mnt]);
  let real: RealAgents | null = null;
  let server: ServerProcess | null = null;
  try {
    const dataDir = join(mnt, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const env = { TOKENBOARD_SERVER_DATA_DIR: dataDir };
    const simAccts = await accounts(env, Array.from({ length: SIM_AGENTS }, (_, i) => `sim${i}`));
    const realAccts = await accounts(env, Array.from({ length: REAL_AGENTS }, (_, i) => `real${i}`));
    const log = serverLog();
    const srv = server = await startServerProcess(env, await freePort(), { onLine: log.onLine });
    real = await startRealAgents(realAccts, srv.url, 500);
    const sims = simAccts.map((a, i) => new SimAgent(a, 3000 + i, 100));
    const phases = { normal: new Latencies(), full: new Latencies(), after: new Latencies() };
    let phase: keyof typeof phases = 'normal';
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: SIM_AGENTS });
    const proxyAgent = new http.Agent({ keepAlive: true, maxSockets: REAL_AGENTS });

    let running = true;
    const traffic = [
      ...sims.map(async (sim) => {
        while (running) {
          await sim.deliver(() => srv.url, httpAgent, () => phases[phase]);
          await sleep(300);
        }
      }),
      (async () => {
        while (running) {
          await real!.round(proxyAgent);
          await sleep(50);
        }
      })(),
    ];

    await sleep(SECONDS * 200);
    const filler = join(mnt, 'filler');
    phase = 'full';
    const fillerMb = fill(filler);
    progress(`file system full (filler ${fillerMb} MB, ${statfsSync(mnt).bavail} blocks left)`);
    await sleep(SECONDS * 500);

    // Still full: what the server holds of the batches it refused, and what the agents keep.
    const healthz = (await fetch(`${srv.url}/healthz`)).status;
    const refused = sims.filter((s) => s.pending && s.lastStatus === 503).map((s) => ({ s, ids: s.pending!.map((e) => e.id!) }));
    const idsDuringFull = await storedIds(join(dataDir, 'tokenboard.sqlite'));
    const storedOfRefused = refused.reduce((n, r) => n + r.ids.filter((id) => idsDuringFull.get(r.s.acct.user_id)?.has(id)).length, 0);
    const partialDuringFull = partial(sims, idsDuringFull);
    const agentsDuringFull = await Promise.all(real.agents.map((a) => real!.status(a)));

    unlinkSync(filler);
    progress('filler deleted: room again');
    // Answers to batches sent before the filler went still count as the full phase's.
    await sleep(1000);
    phase = 'after';
    await sleep(SECONDS * 300);
    running = false;
    await Promise.all(traffic);
    const drained = await drainedAgents(real, 180_000);
    const agentsAfter = await Promise.all(real.agents.map((a) => real!.status(a)));
    const expected = new Map([...sims.map((s) => [s.acct.user_id, s.sent] as const), ...real.expected()]);
    await real.stop();
    real = null;
    httpAgent.destroy();
    proxyAgent.destroy();
    await srv.stop();
    server = null;
    const partialAtEnd = partial(sims, await storedIds(join(dataDir, 'tokenboard.sqlite')));
    const c = compare(expected, await storedTotals(env));

    const full = phases.full.statuses;
    const refusedFull = full['503'] ?? 0;
    const storageFullBody = phases.full.samples['503'] ?? '';
    const otherErrors = Object.entries(phases).flatMap(([p, l]) => Object.entries(l.statuses).filter(([k]) => k !== '200' && !(p === 'full' && k === '503')).map(([k, v]) => `${p}:${k}=${v}`));
    const otherLogErrors = log.errors.filter((l) => !/storage is full/.test(l));
    const answersOk = refusedFull > 0 && /"code":"storage_full"/.test(storageFullBody) && otherErrors.length === 0 && otherLogErrors.length === 0 && healthz === 200;
    const partialOk = storedOfRefused === 0 && partialDuringFull === 0 && partialAtEnd === 0;
    const keptOk = agentsDuringFull.every((a) => a.queue > 0 && a.rejected === 0) && agentsAfter.every((a) => a.rejected === 0) && drained;
    const common = { db: 'sqlite', fs_mb: FS_MB, seconds: SECONDS, cores: cores() };
    figure('disk-full', 'answers_while_full', {
      ok: answersOk, storage_full_503: refusedFull, answers: { normal: phases.normal.statuses, full, after: phases.after.statuses },
      other_errors: otherErrors, sample_503: storageFullBody, server_log_errors_other_than_storage_full: otherLogErrors.slice(0, 3), healthz_while_full: healthz, filler_mb: fillerMb, ...common,
    });
    figure('disk-full', 'nothing_partial', {
      ok: partialOk, refused_batches_checked: refused.length, refused_events_stored: storedOfRefused, batches_stored_in_part_while_full: partialDuringFull, batches_stored_in_part_at_end: partialAtEnd, ...common,
    });
    figure('disk-full', 'agents_keep_their_queue', {
      ok: keptOk, queue_while_full: agentsDuringFull.map((a) => a.queue), last_error_while_full: agentsDuringFull.map((a) => a.last_error?.status ?? null),
      set_aside: agentsAfter.reduce((n, a) => n + a.rejected, 0), queues_drained_after: drained, ...common,
    });
    figure('disk-full', 'lost', { value: c.lost, target: 0, ok: c.lost === 0, expected_events: c.expected_events, stored_events: c.stored_events, ...common });
    figure('disk-full', 'doubled', { value: c.doubled, target: 0, ok: c.doubled === 0 && c.token_mismatches.length === 0, token_mismatches: c.token_mismatches, ...common });
    return answersOk && partialOk && keptOk && c.lost === 0 && c.doubled === 0 && c.token_mismatches.length === 0;
  } finally {
    await real?.stop();
    await server?.kill();
    execFileSync('umount', [mnt]);
    rmdirSync(mnt);
  }
}
