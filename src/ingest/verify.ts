// Who sent a batch: the signed headers checked against the user's live agent tokens.
import { HEADER_SIG, HEADER_TS, HEADER_USER, MAX_DRIFT_MS, signBody } from '../../agent/wire.ts';
import { safeEqualHex } from '../secrets.ts';

export type Rejection = { status: 401 | 409 | 413 | 400; reason: string; error: string };

export interface SignedHeaders {
  userId: number;
  ts: number;
  sig: string;
}

/** Parses the three x-ta-* headers; a Rejection when any is missing or malformed. */
export function readSignedHeaders(get: (name: string) => string | undefined): SignedHeaders | Rejection {
  const user = get(HEADER_USER);
  const ts = get(HEADER_TS);
  const sig = get(HEADER_SIG);
  if (!user || !ts || !sig) {
    const missing = [[HEADER_USER, user], [HEADER_TS, ts], [HEADER_SIG, sig]].filter(([, v]) => !v).map(([k]) => k);
    return { status: 401, reason: 'unsigned', error: `missing signature header(s): ${missing.join(', ')}` };
  }
  if (!/^[1-9][0-9]{0,15}$/.test(user)) return { status: 401, reason: 'unsigned', error: `${HEADER_USER} must be the numeric user id` };
  if (!/^[0-9]{1,16}$/.test(ts)) return { status: 401, reason: 'unsigned', error: `${HEADER_TS} must be milliseconds since the epoch` };
  if (!/^[0-9a-fA-F]{64}$/.test(sig)) return { status: 401, reason: 'bad_signature', error: `${HEADER_SIG} must be 64 hex characters (HMAC-SHA256)` };
  return { userId: Number(user), ts: Number(ts), sig: sig.toLowerCase() };
}

export function checkDrift(ts: number, now: number): Rejection | null {
  const drift = ts - now;
  if (Math.abs(drift) <= MAX_DRIFT_MS) return null;
  const secs = Math.round(drift / 1000);
  return {
    status: 401, reason: 'clock_drift',
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
