// The ingest wire format: the one definition shared by the server (which checks it) and
// the agent (which produces and signs it). ../shared/DESIGN.md "Ingest API" is the
// contract; this file must stay free of dependencies because the agent is bundled from it.
import { createHash, createHmac } from 'node:crypto';

export const HEADER_USER = 'x-ta-user';
export const HEADER_TS = 'x-ta-ts';
export const HEADER_SIG = 'x-ta-sig';

export const MAX_BODY_BYTES = 512 * 1024;
export const MAX_EVENTS = 500;
export const MAX_EVENT_TOKENS = 2_000_000;
export const MAX_DRIFT_MS = 60_000;
/** Events may be dated at most this far after the receiver's clock… */
export const MAX_FUTURE_MS = 24 * 3_600_000;
/** …and not before 2000-01-01 (a year-1970 or year-275760 `ts` is a bug, not usage). */
export const MIN_TS = Date.UTC(2000, 0, 1);

export interface WireEvent {
  ts: number;
  provider: string;
  model: string;
  is_local: boolean;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** The part of cache_write_tokens written with a 1-hour lifetime (priced at its own rate). */
  cache_write_1h_tokens?: number;
  id?: string;
  source?: string;
  session?: string;
  skills?: string[];
}

export interface WireBatch {
  events: WireEvent[];
}

export const REQUIRED_FIELDS = [
  'ts', 'provider', 'model', 'is_local',
  'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
] as const;
export const OPTIONAL_FIELDS = ['cache_write_1h_tokens', 'id', 'source', 'session', 'skills'] as const;
const KNOWN_FIELDS = new Set<string>([...REQUIRED_FIELDS, ...OPTIONAL_FIELDS]);
const COUNT_FIELDS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'] as const;

const ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
// "Printable": no control characters (Cc), no invisible format characters (Cf: zero-width
// spaces, bidi overrides, soft hyphens — a zero-width space would make an unpriced twin of
// a priced model), no line/paragraph separators, no lone surrogates. Nothing is normalised.
const UNPRINTABLE_RE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

export function sha256hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** x-ta-sig: hex HMAC-SHA256(key = agent token, message = `${ts}.${sha256hex(body)}`). */
export function signBody(token: string, ts: number | string, body: string | Uint8Array): string {
  return createHmac('sha256', token).update(`${ts}.${sha256hex(body)}`).digest('hex');
}

/** Headers an agent sends with a body it is about to post. */
export function signedHeaders(userId: number | string, token: string, body: string | Uint8Array, now = Date.now()): Record<string, string> {
  return {
    'content-type': 'application/json',
    [HEADER_USER]: String(userId),
    [HEADER_TS]: String(now),
    [HEADER_SIG]: signBody(token, now, body),
  };
}

export function isPrintable(s: string, min: number, max: number): boolean {
  // Lengths count code points. A string has at most s.length of them and, when not
  // empty, at least one: the common case needs no counting (checked for every field of
  // every event, by the server and by the agent's outbox).
  const len = s.length <= max && (min <= 1 ? s.length >= min : false) ? s.length : [...s].length;
  return len >= min && len <= max && !UNPRINTABLE_RE.test(s);
}

export type BatchCheck =
  | { ok: true; events: WireEvent[] }
  | { ok: false; status: 400 | 413; field: string; error: string };

function bad(field: string, error: string): BatchCheck {
  return { ok: false, status: 400, field, error: `${field}: ${error}` };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export interface CheckOptions {
  /** The per-event token limit (a provider's daily bucket, imported by the server, may pass the agents' one). */
  maxEventTokens?: number;
}

/**
 * Checks a parsed body against the contract. Never throws; the first problem wins.
 * `now` is the receiver's clock, for the bounds of `ts`.
 */
export function checkBatch(body: unknown, now = Date.now(), opts: CheckOptions = {}): BatchCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return bad('body', 'must be a JSON object with an "events" array');
  }
  for (const key of Object.keys(body)) {
    if (key !== 'events') return bad(key, 'unknown field');
  }
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) return bad('events', 'must be an array');
  if (events.length > MAX_EVENTS) {
    return { ok: false, status: 413, field: 'events', error: `events: ${events.length} events in one batch, at most ${MAX_EVENTS} allowed` };
  }
  for (let i = 0; i < events.length; i++) {
    const problem = checkEvent(events[i], `events[${i}]`, now, opts.maxEventTokens ?? MAX_EVENT_TOKENS);
    if (problem) return problem;
  }
  return { ok: true, events: events as WireEvent[] };
}

function checkEvent(e: unknown, at: string, now: number, maxTokens: number): BatchCheck | null {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return bad(at, 'must be an object');
  const ev = e as Record<string, unknown>;
  for (const key of Object.keys(ev)) {
    if (!KNOWN_FIELDS.has(key)) return bad(`${at}.${key}`, 'unknown field');
  }
  for (const key of REQUIRED_FIELDS) {
    if (!(key in ev)) return bad(`${at}.${key}`, 'missing');
  }
  if (!(typeof ev.ts === 'number' && Number.isSafeInteger(ev.ts) && ev.ts > 0)) {
    return bad(`${at}.ts`, 'must be a positive integer (milliseconds since the epoch)');
  }
  if (ev.ts < MIN_TS) return bad(`${at}.ts`, 'is before 2000-01-01; send milliseconds since the epoch');
  if (ev.ts > now + MAX_FUTURE_MS) return bad(`${at}.ts`, 'is more than 24 hours ahead of the server clock');
  for (const key of ['provider', 'model'] as const) {
    const v = ev[key];
    if (typeof v !== 'string' || !isPrintable(v, 1, 128)) return bad(`${at}.${key}`, 'must be a string of 1-128 printable characters');
  }
  if (typeof ev.is_local !== 'boolean') return bad(`${at}.is_local`, 'must be a boolean');
  let total = 0;
  for (const key of COUNT_FIELDS) {
    const v = ev[key];
    if (!isCount(v)) return bad(`${at}.${key}`, 'must be a non-negative integer');
    total += v;
  }
  if ('cache_write_1h_tokens' in ev) {
    const v = ev.cache_write_1h_tokens;
    if (!isCount(v)) return bad(`${at}.cache_write_1h_tokens`, 'must be a non-negative integer');
    if (v > (ev.cache_write_tokens as number)) return bad(`${at}.cache_write_1h_tokens`, 'must not be more than cache_write_tokens (it is the 1-hour part of them)');
  }
  if (total > maxTokens) {
    return bad(at, `${total} tokens in one event, at most ${maxTokens} allowed`);
  }
  if ('id' in ev && (typeof ev.id !== 'string' || !ID_RE.test(ev.id))) {
    return bad(`${at}.id`, 'must be 1-128 characters of [A-Za-z0-9._:-]');
  }
  if ('source' in ev && (typeof ev.source !== 'string' || !isPrintable(ev.source, 1, 64))) {
    return bad(`${at}.source`, 'must be a string of 1-64 printable characters');
  }
  if ('session' in ev && (typeof ev.session !== 'string' || !isPrintable(ev.session, 1, 128))) {
    return bad(`${at}.session`, 'must be a string of 1-128 printable characters');
  }
  if ('skills' in ev) {
    const skills = ev.skills;
    if (!Array.isArray(skills)) return bad(`${at}.skills`, 'must be an array of strings');
    if (skills.length > 32) return bad(`${at}.skills`, 'at most 32 skills per event');
    for (let j = 0; j < skills.length; j++) {
      const s = skills[j];
      if (typeof s !== 'string' || !isPrintable(s, 1, 64)) return bad(`${at}.skills[${j}]`, 'must be a string of 1-64 printable characters');
    }
  }
  return null;
}
