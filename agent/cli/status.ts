// `status`: server reachability (a signed ping), queue length, last send, per-source
// counts, refused events and why sending stopped.
import { Outbox } from '../outbox.ts';
import { isBlocked, readSenderState, statePath } from '../flusher.ts';
import { ping } from '../sender.ts';
import { writeJsonAtomic } from '../fsutil.ts';
import { configOf, fmtCounts, fmtTime, type Io } from './common.ts';
import { sqliteNotice, sqliteSkipped } from '../collectors/index.ts';
import { join } from 'node:path';

export async function status(io: Io, opts: { json: boolean }): Promise<number> {
  const cfg = configOf(io);
  let server: { reachable: boolean; ok: boolean; detail: string };
  if (!cfg.login) server = { reachable: false, ok: false, detail: `not logged in: ${cfg.loginProblems.join('; ')}` };
  else {
    const r = await ping(cfg.login);
    if (r.kind === 'stored' || r.kind === 'replayed') server = { reachable: true, ok: true, detail: `${cfg.login.server} accepted a signed ping for user ${cfg.login.user}` };
    else if (r.kind === 'unauthorized') server = { reachable: true, ok: false, detail: `${cfg.login.server} refused the token (401): ${r.error}` };
    else if (r.kind === 'retry') server = { reachable: false, ok: false, detail: `${cfg.login.server} unreachable: ${r.error}` };
    else server = { reachable: true, ok: false, detail: `${cfg.login.server} answered ${r.status}: ${r.error}` };
  }
  let state = readSenderState(cfg.stateDir);
  if (server.ok && state.blocked) {
    // The token works again: sending resumes.
    delete state.blocked;
    writeJsonAtomic(statePath(cfg.stateDir), state);
    state = readSenderState(cfg.stateDir);
  }
  const outbox = new Outbox(cfg.stateDir);
  const queue = outbox.pending();
  const rejected = outbox.rejected();
  const blocked = cfg.login && isBlocked(state, cfg.login) ? state.blocked! : null;
  const report = {
    server: server.detail, reachable: server.reachable, authorized: server.ok,
    queue: queue.total, queue_by_source: queue.bySource,
    last_send: state.last_send ?? null, last_error: state.last_error ?? null,
    sent_by_source: state.sent_by_source, delivered: state.delivered,
    rejected: rejected.length, rejected_file: join(outbox.dir, 'rejected.jsonl'),
    skipped_sources: sqliteSkipped(cfg.logRoots),
    stopped: blocked ? `sending stopped at ${fmtTime(blocked.at)}: the server answered 401 (${blocked.error}); run \`login\` with a valid token` : null,
  };
  if (opts.json) {
    io.out(JSON.stringify(report));
  } else {
    io.out(`server:     ${report.server}`);
    io.out(`queue:      ${queue.total} events waiting (${fmtCounts(queue.bySource)})`);
    io.out(`last send:  ${state.last_send ? `${fmtTime(state.last_send.at)} (${state.last_send.accepted} accepted, ${state.last_send.duplicates} duplicates)` : 'never'}`);
    io.out(`sent:       ${fmtCounts(state.sent_by_source)}`);
    if (state.last_error) io.out(`last error: ${fmtTime(state.last_error.at)} ${state.last_error.status ?? 'network'}: ${state.last_error.error}`);
    if (rejected.length) io.out(`rejected:   ${rejected.length} events the server refused are kept in ${report.rejected_file} (last: ${rejected[rejected.length - 1].error})`);
    const notice = sqliteNotice(report.skipped_sources);
    if (notice) io.out(`skipped:    ${notice}`);
    if (report.stopped) io.out(`STOPPED:    ${report.stopped}`);
  }
  return server.ok && !blocked ? 0 : 1;
}
