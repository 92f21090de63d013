// Storing what the OTLP receiver extracted: events validated against the wire format,
// raw session ids replaced by keyed hashes, cumulative series state kept in the same
// write transaction as the events it produced.
import { checkBatch, type WireEvent } from '../../agent/wire.ts';
import type { Services } from '../services.ts';
import type { Sql } from '../db/sql.ts';
import * as otlpState from '../db/repos/otlp.ts';
import { priceTableIn } from '../ledger/prices.ts';
import { retentionCutoff } from '../ingest/ingest.ts';
import { storeInTx } from '../ledger/write.ts';
import { eventsFromLogs } from './logs.ts';
import { eventsFromPoints, tokenPoints, type SeriesState } from './metrics.ts';

export interface Receiver { id: number; user_id: number }
export interface Received { accepted: number; duplicates: number; rejected: number }

const CLAUDE_LOGS_FLAG = 'flag:claude-code-api-request';

function prepare(s: Services, events: WireEvent[], sessions: (string | null)[]): { valid: WireEvent[]; rejected: number } {
  const valid: WireEvent[] = [];
  let rejected = 0;
  events.forEach((ev, i) => {
    const raw = sessions[i];
    // Never the raw session id: a keyed hash, useless without the server's secret.
    const withSession = raw ? { ...ev, session: s.sealer.lookupHash(`otlp-session\u0000${raw}`).slice(0, 32) } : ev;
    // The same field rules as the ingest API (dates within bounds, no invisible characters).
    if (checkBatch({ events: [withSession] }, Date.now()).ok) valid.push(withSession);
    else rejected++;
  });
  return { valid, rejected };
}

async function store(s: Services, tx: Sql, who: Receiver, events: WireEvent[]) {
  const now = Date.now();
  return storeInTx(tx, { userId: who.user_id, tokenId: who.id, replay: null, now, minTs: retentionCutoff(s.settings().retention_days, now) },
    events, s.calendar(), await priceTableIn(s.db, tx));
}

export async function receiveLogs(s: Services, who: Receiver, body: unknown): Promise<Received> {
  const x = eventsFromLogs(body);
  const { valid, rejected } = prepare(s, x.events, x.sessions);
  return s.db.writer.transaction(async (tx) => {
    if (x.claudeRequests) await otlpState.setFlag(tx, who.user_id, CLAUDE_LOGS_FLAG);
    const r = await store(s, tx, who, valid);
    return { accepted: r.accepted, duplicates: r.duplicates, rejected: rejected + x.rejected };
  });
}

export async function receiveMetrics(s: Services, who: Receiver, body: unknown): Promise<Received & { ignored: boolean }> {
  const { points, rejected } = tokenPoints(body);
  return s.db.writer.transaction(async (tx) => {
    const flagged = await otlpState.hasFlag(tx, who.user_id, CLAUDE_LOGS_FLAG);
    // This user's Claude Code sends api_request events: those are the record, metrics would double it.
    if (flagged || points.length === 0) return { accepted: 0, duplicates: 0, rejected, ignored: flagged };
    const series = [...new Set(points.filter((p) => p.cumulative).map((p) => p.series))];
    const state: Map<string, SeriesState> = await otlpState.series(tx, who.user_id, series);
    const { events, sessions } = eventsFromPoints(points, state);
    for (const name of series) {
      const st = state.get(name)!;
      await otlpState.putSeries(tx, who.user_id, name, st.start_ns, st.value);
    }
    const prepared = prepare(s, events, sessions);
    const r = await store(s, tx, who, prepared.valid);
    return { accepted: r.accepted, duplicates: r.duplicates, rejected: rejected + prepared.rejected, ignored: false };
  });
}
