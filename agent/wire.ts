// The ingest wire format: the one definition shared by the server (which checks it) and
// the agent (which produces and signs it). ../shared/DESIGN.md "Ingest API" is the
// contract. The schema is valibot's; the agent bundles the few functions it uses (the
// bundle stays one file with no install).
import { createHash, createHmac } from 'node:crypto';
import * as v from 'valibot';

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
  | { ok: false; /** More than MAX_EVENTS events (the contract answers 413). */ tooMany?: true; field: string; error: string };

export interface CheckOptions {
  /** The per-event token limit (a provider's daily bucket, imported by the server, may pass the agents' one). */
  maxEventTokens?: number;
}

const M_TS = 'must be a positive integer (milliseconds since the epoch)';
const M_COUNT = 'must be a non-negative integer';
const M_NAME = 'must be a string of 1-128 printable characters';
const M_ID = 'must be 1-128 characters of [A-Za-z0-9._:-]';

const count = v.pipe(v.number(M_COUNT), v.safeInteger(M_COUNT), v.minValue(0, M_COUNT));
const printable = (min: number, max: number, message: string) => v.pipe(v.string(message), v.check((s) => isPrintable(s, min, max), message));
const tokensIn = (e: { input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number }) =>
  e.input_tokens + e.output_tokens + e.cache_read_tokens + e.cache_write_tokens;

/** The schema of one event, for a receiver whose clock reads `now`. */
export function eventSchema(now: number, maxTokens = MAX_EVENT_TOKENS) {
  return v.pipe(
    v.strictObject({
      ts: v.pipe(v.number(M_TS), v.safeInteger(M_TS), v.minValue(1, M_TS),
        v.minValue(MIN_TS, 'is before 2000-01-01; send milliseconds since the epoch'),
        v.maxValue(now + MAX_FUTURE_MS, 'is more than 24 hours ahead of the server clock')),
      provider: printable(1, 128, M_NAME),
      model: printable(1, 128, M_NAME),
      is_local: v.boolean('must be a boolean'),
      input_tokens: count,
      output_tokens: count,
      cache_read_tokens: count,
      cache_write_tokens: count,
      cache_write_1h_tokens: v.optional(count),
      id: v.optional(v.pipe(v.string(M_ID), v.regex(ID_RE, M_ID))),
      source: v.optional(printable(1, 64, 'must be a string of 1-64 printable characters')),
      session: v.optional(printable(1, 128, 'must be a string of 1-128 printable characters')),
      skills: v.optional(v.pipe(
        v.array(printable(1, 64, 'must be a string of 1-64 printable characters'), 'must be an array of strings'),
        v.maxLength(32, 'at most 32 skills per event'))),
    }, 'must be an object'),
    v.check((e) => tokensIn(e) <= maxTokens, (issue) => `${tokensIn(issue.input as WireEvent)} tokens in one event, at most ${maxTokens} allowed`),
    v.forward(v.check((e) => (e.cache_write_1h_tokens ?? 0) <= e.cache_write_tokens,
      'must not be more than cache_write_tokens (it is the 1-hour part of them)'), ['cache_write_1h_tokens']),
  );
}

const batchShape = v.strictObject({ events: v.array(v.unknown(), 'must be an array') }, 'must be a JSON object with an "events" array');

/** `events[3].skills[1]: …`, as the contract's errors name a field. */
function describe(at: string, issue: v.BaseIssue<unknown>): { field: string; error: string } {
  let field = at;
  for (const p of issue.path ?? []) field += typeof p.key === 'number' ? `[${p.key}]` : field ? `.${String(p.key)}` : String(p.key);
  // A strict object names an unexpected key by what it found there, a missing one by what it expected.
  let message = issue.message;
  if (issue.type === 'strict_object') {
    if (issue.expected === 'never') message = 'unknown field';
    else if (issue.received === 'undefined' && (issue.path?.length ?? 0) > 0) message = 'missing';
  }
  return { field: field || 'body', error: `${field || 'body'}: ${message}` };
}

/**
 * Checks a parsed body against the contract. Never throws; the first problem wins.
 * `now` is the receiver's clock, for the bounds of `ts`.
 */
export function checkBatch(body: unknown, now = Date.now(), opts: CheckOptions = {}): BatchCheck {
  // valibot takes an array for an object with no keys yet; the contract calls it the wrong body.
  if (Array.isArray(body)) return { ok: false, field: 'body', error: 'body: must be a JSON object with an "events" array' };
  const shape = v.safeParse(batchShape, body, { abortEarly: true });
  if (!shape.success) return { ok: false, ...describe('', shape.issues[0]) };
  const events = shape.output.events;
  if (events.length > MAX_EVENTS) {
    return { ok: false, tooMany: true, field: 'events', error: `events: ${events.length} events in one batch, at most ${MAX_EVENTS} allowed` };
  }
  const check = eventChecker(now, opts.maxEventTokens);
  for (let i = 0; i < events.length; i++) {
    const r = check(events[i], `events[${i}]`);
    if (!r.ok) return r;
  }
  return { ok: true, events: events as WireEvent[] };
}

export type EventCheck = { ok: true; event: WireEvent } | { ok: false; field: string; error: string };

/**
 * Checks single events against the contract (as checkBatch checks each one), for a receiver
 * whose clock reads `now`. The schema is built once for every event checked: building it
 * (some forty objects) was most of the cost of checking one event, and the agent checks each
 * queued line again when it reads its outbox (60,000 for a year of history).
 */
export function eventChecker(now = Date.now(), maxTokens?: number): (ev: unknown, field?: string) => EventCheck {
  const schema = eventSchema(now, maxTokens);
  return (ev, field = 'events[0]') => {
    const r = v.safeParse(schema, ev, { abortEarly: true });
    return r.success ? { ok: true, event: ev as WireEvent } : { ok: false, ...describe(field, r.issues[0]) };
  };
}
