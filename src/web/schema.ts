// Schemas for what a request carries (valibot): its path parameters, query string and form
// or JSON body, validated in the route chain before the handler runs. A schema checks the
// shape (which fields, strings, lengths, allowed values); what the values mean (a price
// that looks wrong, a login that exists) stays in the domain, which words its own errors.
import * as v from 'valibot';
import { BadInput } from '../errors.ts';

/** One value of a query parameter (repeated parameters: the last one). */
const one = (x: unknown) => (Array.isArray(x) ? x[x.length - 1] : x);

const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

/** Optional text of at most `max` printable characters, trimmed; absent or blank → null. */
export function text(max: number) {
  // optional with a default: an absent field runs the pipe on '' (and is not an optional key).
  return v.optional(v.pipe(
    v.unknown(),
    v.transform(one),
    v.transform((x) => (x === undefined || x === null ? '' : x)),
    v.string('must be text'),
    v.transform((x) => x.trim()),
    v.maxLength(max, `at most ${max} characters`),
    v.check((x) => !UNPRINTABLE.test(x), 'must be printable (no control or invisible characters)'),
    v.transform((x) => (x === '' ? null : x)),
  ), '');
}

/** A form field as typed (trimmed), '' when absent: for drafts a refused form shows again. */
export function typed(max: number) {
  return v.pipe(text(max), v.transform((x) => x ?? ''));
}

/** Required text of 1..max printable characters, trimmed. */
export function required(max: number, what = 'is required') {
  return v.pipe(text(max), v.check((x): x is string => x !== null, what), v.transform((x) => x as string));
}

/** Text kept as typed (a pasted list, a key, a confirmation): no trimming of inner lines. */
export function raw(max: number) {
  return v.optional(v.pipe(v.unknown(), v.transform(one), v.transform((x) => (x ?? '') as unknown), v.string('must be text'), v.maxLength(max, `at most ${max} characters`)), '');
}

/** Every value of a repeated field (a group of checkboxes), each 1..max printable characters; absent → []. */
export function list(max: number, maxItems = 50) {
  return v.optional(v.pipe(
    v.unknown(),
    v.transform((x) => (x === undefined || x === null || x === '' ? [] : Array.isArray(x) ? x : [x])),
    v.array(v.pipe(v.string('must be text'), v.maxLength(max, `at most ${max} characters each`), v.check((x) => !UNPRINTABLE.test(x), 'must be printable (no control or invisible characters)'))),
    v.maxLength(maxItems, `at most ${maxItems} values`),
  ), '');
}

/** A checkbox: present ('on') or absent. */
export const checkbox = v.optional(v.pipe(v.unknown(), v.transform((x) => one(x) === 'on' || one(x) === 'true')), '');

/** The largest key of an INTEGER column on PostgreSQL (every id a route takes but raw events'). */
export const MAX_ID = 2_147_483_647;

/**
 * A positive whole number in a path or form (ids), at most MAX_ID: a larger one cannot be
 * a row, and PostgreSQL refuses it as out of range (a 500 the fuzz drill found).
 */
export const id = v.pipe(v.unknown(), v.transform(one), v.string('must be a number'), v.regex(/^[1-9]\d{0,9}$/, 'must be a positive whole number'), v.transform(Number),
  v.maxValue(MAX_ID, `must be at most ${MAX_ID}`));

/** One of a fixed set of words, or null when absent. */
export function oneOf<const T extends readonly string[]>(values: T) {
  return v.pipe(text(64), v.check((x) => x === null || values.includes(x), (issue) => `"${String(issue.input)}" is not one of ${values.join(', ')}`), v.transform((x) => x as T[number] | null));
}

/** A request's parts as the chain hands them over. */
export interface Parts {
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

type Entries = v.ObjectEntries;

/**
 * The schema of a request: objects for the path parameters, the query string and the
 * body fields. Unknown query parameters and form fields are ignored (browsers send a few
 * of their own, like the submit button's name); declared ones are checked.
 */
export function request<P extends Entries = {}, Q extends Entries = {}, B extends Entries = {}>(parts: { params?: P; query?: Q; body?: B } = {}) {
  return v.object({
    params: v.object((parts.params ?? {}) as P),
    query: v.object((parts.query ?? {}) as Q),
    body: v.object((parts.body ?? {}) as B),
  });
}

export type RequestSchema = v.GenericSchema<Parts, unknown>;

/** Validates the parts; the first problem becomes a 400 naming the field, as the domain's errors do. */
export function validate<S extends v.GenericSchema>(schema: S, parts: Parts): v.InferOutput<S> {
  const r = v.safeParse(schema, parts, { abortEarly: true });
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = (issue.path ?? []).slice(1).map((p) => String(p.key)).join('.');
  throw new BadInput(`${path || 'request'}: ${issue.message}`);
}
