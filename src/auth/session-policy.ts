// How long a sign-in lasts. Sessions live in a signed cookie; these times are stored in
// it and checked on every request, so an old cookie replayed later is refused too.
import { randomBytes } from 'node:crypto';

/** Signed out after this long without a request. */
export const IDLE_MS = 3 * 86_400_000;
/** Signed out this long after signing in, however active. */
export const ABSOLUTE_MS = 14 * 86_400_000;
/** `seen` is refreshed at most this often, so most responses don't rewrite the cookie. */
export const SEEN_GRANULARITY_MS = 5 * 60_000;

export type SignInMethod = 'github' | 'link';

/** What the cookie holds. Anonymous visitors carry only `csrf` (and OAuth state while signing in). */
export interface SessionData {
  uid?: number;
  via?: SignInMethod;
  /** ms since the epoch */
  created?: number;
  seen?: number;
  csrf?: string;
  /** Where to go after a GitHub sign-in (a local path). */
  next?: string;
  /** Set when the session was ended from elsewhere (deactivation, "sign out everywhere"). */
  ended?: 'deactivated' | 'signed_out';
  [key: string]: unknown;
}

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

export type SessionVerdict = 'anonymous' | 'valid' | 'idle' | 'expired';

export function judgeSession(data: SessionData, now: number): SessionVerdict {
  if (typeof data.uid !== 'number') return 'anonymous';
  if (typeof data.created !== 'number' || now - data.created > ABSOLUTE_MS) return 'expired';
  if (typeof data.seen !== 'number' || now - data.seen > IDLE_MS) return 'idle';
  return 'valid';
}

/** A local path to return to after sign-in; anything else (other hosts, `//x`, `/\x`) becomes `/`. */
export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 1000) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f\\]/.test(raw)) return '/';
  if (raw.startsWith('/login') || raw.startsWith('/auth/') || raw === '/logout') return '/';
  return raw;
}
