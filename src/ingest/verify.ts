// Who sent a batch: the signed headers checked against the user's live agent tokens.
import { HEADER_SIG, HEADER_TS, HEADER_USER, MAX_DRIFT_MS, signBody } from '../../agent/wire.ts';
import { safeEqualHex } from '../secrets.ts';

/** Why a batch was refused (the web layer maps reasons to the contract's status codes). */
export type RejectReason = 'unsigned' | 'bad_signature' | 'unknown_user_or_token' | 'clock_drift' | 'replay' | 'too_many_events' | 'bad_json' | 'bad_field' | 'rate_limited' | 'storage_full';
export type Rejection = { ok: false; reason: RejectReason; error: string };

export interface SignedHeaders {
  userId: number;
  ts: number;
  sig: string;
}

/** Parses the three x-ta-* headers; a Rejection when any is missing or malformed. */
export function readSignedHeaders(get: (name: string) => string | undefined): (SignedHeaders & { ok: true }) | Rejection {
  const user = get(HEADER_USER);
  const ts = get(HEADER_TS);
  const sig = get(HEADER_SIG);
  if (!user || !ts || !sig) {
    const missing = [[HEADER_USER, user], [HEADER_TS, ts], [HEADER_SIG, sig]].filter(([, v]) => !v).map(([k]) => k);
    return { ok: false, reason: 'unsigned', error: `missing signature header(s): ${missing.join(', ')}` };
  }
  if (!/^[1-9][0-9]{0,15}$/.test(user)) return { ok: false, reason: 'unsigned', error: `${HEADER_USER} must be the numeric user id` };
  if (!/^[0-9]{1,16}$/.test(ts)) return { ok: false, reason: 'unsigned', error: `${HEADER_TS} must be milliseconds since the epoch` };
  if (!/^[0-9a-fA-F]{64}$/.test(sig)) return { ok: false, reason: 'bad_signature', error: `${HEADER_SIG} must be 64 hex characters (HMAC-SHA256)` };
  return { ok: true, userId: Number(user), ts: Number(ts), sig: sig.toLowerCase() };
}

export function checkDrift(ts: number, now: number): Rejection | null {
  const drift = ts - now;
  if (Math.abs(drift) <= MAX_DRIFT_MS) return null;
  const secs = Math.round(drift / 1000);
  return {
    ok: false, reason: 'clock_drift',
    error: `clock drift: ${HEADER_TS} is ${Math.abs(secs)} s ${secs > 0 ? 'ahead of' : 'behind'} server time (at most ${MAX_DRIFT_MS / 1000} s allowed); check the clock of the sending machine`,
  };
}

/** The id of the token that signed the body, or null when none of them did. */
export function matchToken(tokens: { id: number; token: string }[], h: SignedHeaders, body: Uint8Array): number | null {
  for (const t of tokens) {
    if (safeEqualHex(signBody(t.token, h.ts, body), h.sig)) return t.id;
  }
  return null;
}
