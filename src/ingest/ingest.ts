// POST /api/ingest as a list of named steps, each able to reject the batch with a stated
// reason (for the answer and for /metrics). No Koa here: the web layer reads the body
// (with the size limit) and maps the result to a response.
import { checkBatch, sha256hex } from '../../agent/wire.ts';
import type { Db } from '../db/connect.ts';
import type { Sealer } from '../secrets.ts';
import { liveSecrets, touchDue } from '../users/tokens.ts';
import { priceTableAt } from '../ledger/prices.ts';
import type { DayCalendar } from '../usage/days.ts';
import { checkDrift, matchToken, readSignedHeaders, type Rejection } from './verify.ts';
import { isServerSource } from '../ledger/rules.ts';
import { ReplayError, storeBatch, type StoreResult } from '../ledger/write.ts';
import { deleteEventsBefore, deleteReplaysBefore } from '../db/repos/usage-write.ts';
import { isStorageFull } from '../db/dialect.ts';

export interface IngestDeps {
  db: Db;
  sealer: Sealer;
  calendar: () => DayCalendar;
  settings: () => { retention_days: number | null };
}

export type IngestOutcome = ({ ok: true } & StoreResult) | Rejection;

export async function ingest(deps: IngestDeps, header: (name: string) => string | undefined, body: Buffer, now = Date.now()): Promise<IngestOutcome> {
  const h = readSignedHeaders(header);
  if (!h.ok) return h;

  const drift = checkDrift(h.ts, now);
  if (drift) return drift;

  const tokens = await liveSecrets(deps.db, deps.sealer, h.userId);
  const tokenId = tokens.length ? matchToken(tokens, h, body) : null;
  if (tokenId === null) {
    // One answer for unknown user, revoked token and wrong signature: telling them apart
    // would let anyone probe which user ids exist.
    return { ok: false, reason: tokens.length ? 'bad_signature' : 'unknown_user_or_token', error: 'signature does not match a live agent token of this user (unknown user, revoked token or wrong signature)' };
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'bad_json', error: 'body: not valid JSON' };
  }
  const check = checkBatch(parsed, now);
  if (!check.ok) {
    return { ok: false, reason: check.tooMany ? 'too_many_events' : 'bad_field', error: check.error };
  }
  // Provider-trust and telemetry sources are written by the server itself; an agent
  // claiming them (in any letter case) would make self-reported numbers look measured.
  const claimed = check.events.findIndex((e) => e.source !== undefined && isServerSource(e.source));
  if (claimed >= 0) {
    return { ok: false, reason: 'bad_field', error: `events[${claimed}].source: "${check.events[claimed].source}" is reserved for the server's own imports` };
  }

  try {
    const result = await storeBatch(deps.db, {
      userId: h.userId, tokenId, touchToken: touchDue(tokens.find((t) => t.id === tokenId)!.lastUsedAt, now), replay: { ts: h.ts, bodySha256: sha256hex(body) }, now, minTs: retentionCutoff(deps.settings().retention_days, now),
    }, check.events, deps.calendar(), (tx, v) => priceTableAt(deps.db, tx, v));
    return { ok: true, ...result };
  } catch (err) {
    if (err instanceof ReplayError) return { ok: false, reason: 'replay', error: 'this exact request was already received (same user, timestamp and body); sign a fresh request to resend' };
    // The batch's transaction rolled back whole: the agent keeps it and sends it again.
    if (isStorageFull(err)) return { ok: false, reason: 'storage_full', error: "the server's storage is full: nothing of this batch was stored; send it again later (an admin must free disk space)" };
    throw err;
  }
}

/**
 * With a raw-event retention, events older than the cutoff can no longer be checked for
 * duplicates (their ids are gone), so they are not stored again: a re-sent old log would
 * otherwise count twice. They are answered as duplicates.
 */
export function retentionCutoff(days: number | null, now: number): number {
  return days === null ? 0 : now - days * 86_400_000;
}

/** Deletes raw events past the retention; rollups and the read model stay. */
export async function pruneRawEvents(db: Db, days: number | null, now = Date.now()): Promise<number> {
  if (days === null) return 0;
  return db.writer.transaction((tx) => deleteEventsBefore(tx, retentionCutoff(days, now)));
}

/** Replay records only matter inside the drift window; older ones are deleted. */
export async function cleanReplayRecords(db: Db, now = Date.now()): Promise<number> {
  return db.writer.transaction((tx) => deleteReplaysBefore(tx, now - 5 * 60_000));
}
