// Property-based fuzzing (fast-check) of everything a client can send: the ingest body
// (signed, so it reaches validation), OTLP/HTTP JSON exports, and every route's query
// string, path parameters and form fields (as a signed-in admin with a valid CSRF token,
// so the chain gets past access and CSRF to the schema and the handler). Properties:
// no answer is a 5xx; a refused batch stores nothing; what is stored obeys the wire rules
// and no text cell anywhere holds a control or invisible format character.
// Shared by `npm run drill -- fuzz` (many runs) and test/fuzz.test.ts (a few hundred).
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { signedHeaders } from '../agent/wire.ts';
import { createRoutes } from '../src/app.ts';
import type { Route } from '../src/web/route.ts';
import { addUser, findUser } from '../src/users/users.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import type { TestApp } from '../test/helpers/app.ts';
import type { Browser } from '../test/helpers/browser.ts';
import { everyTable, rows, updateUser } from '../test/helpers/db.ts';
import { LIVE, liveValue } from './_fuzz-live.ts';

export interface FuzzResult {
  requests: number;
  statuses: Record<string, number>;
}

function tally(r: FuzzResult, status: number): void {
  r.requests++;
  r.statuses[status] = (r.statuses[status] ?? 0) + 1;
}

// ---- values a careless or hostile client sends

const TRICKY = [
  '', ' ', 'claude-haiku-4-5\u200b', 'a\u202eb', 'soft\u00adhyphen', 'nul\u0000byte', 'line\nbreak', 'tab\there', '\ud800', 'OTLP', 'Anthropic-Admin',
  'x'.repeat(129), 'y'.repeat(65), '=HYPERLINK("http://x")', '<script>alert(1)</script>', '../../etc/passwd', '%00', '1e400', '-0', 'NaN', '{"a":1}',
];
const nastyString = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ maxLength: 140 }),
);
const nastyNumber = fc.oneof(
  fc.integer(), fc.double(),
  fc.constantFrom(0, -1, 1.5, 2_000_001, 8.64e15, 8.64e15 + 1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, Date.UTC(1999, 11, 31), Date.now() + 25 * 3_600_000, Date.now() + 5 * 365 * 86_400_000),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString }, { weight: 3, arbitrary: nastyNumber }, fc.boolean(), fc.constant(null),
  fc.array(nastyString, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), nastyString, { maxKeys: 2 }),
);

// ---- the ingest body

const FIELDS = ['ts', 'provider', 'model', 'is_local', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'id', 'source', 'session', 'skills', 'extra'] as const;

const validEvent = fc.record({
  ts: fc.integer({ min: Date.now() - 30 * 86_400_000, max: Date.now() }),
  provider: fc.constantFrom('anthropic', 'openai', 'google'),
  model: fc.constantFrom('claude-haiku-4-5', 'claude-sonnet-4-5', 'gpt-5', 'gemini-2.5-pro', 'fuzz-unpriced'),
  is_local: fc.boolean(),
  input_tokens: fc.nat(100_000), output_tokens: fc.nat(100_000), cache_read_tokens: fc.nat(100_000), cache_write_tokens: fc.nat(100_000),
  source: fc.constantFrom('claude-code', 'proxy', 'codex', 'my-tool'),
  session: fc.stringMatching(/^[a-z0-9]{1,20}$/),
  skills: fc.array(fc.constantFrom('review', 'tests', 'docs'), { maxLength: 3 }),
});

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), field: fc.constantFrom(...FIELDS), value: nastyValue, at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), field: fc.constantFrom(...FIELDS), value: fc.constant(undefined), at: fc.nat() }),
);

/** A body: mostly a batch of valid events with a few fields broken, sometimes something else entirely. */
const ingestBody = fc.oneof(
  { weight: 8, arbitrary: fc.record({ events: fc.array(validEvent, { maxLength: 5 }), mutations: fc.array(mutation, { maxLength: 3 }) }).map((b) => ({ kind: 'batch' as const, ...b })) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'text' as const, text: JSON.stringify({ events: v }) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ kind: 'bytes' as const, bytes: Buffer.from(b) })) },
  // Numbers JSON can carry and JavaScript cannot (1e400 is Infinity once parsed).
  { weight: 1, arbitrary: fc.constantFrom('1e400', '-1e400', '99999999999999999999', '1.0000000000000002', '-0').map((n) => ({ kind: 'num' as const, n })) },
  { weight: 1, arbitrary: fc.constantFrom(501, 0).map((n) => ({ kind: 'many' as const, n })) },
);

type IngestBody = typeof ingestBody extends fc.Arbitrary<infer T> ? T : never;

let seq = 0;

/** The bytes to sign and the number of events they hold (-1: not a batch), from one generated body. */
function ingestBytes(b: IngestBody): { body: string | Buffer; events: number } {
  const run = ++seq;
  const withId = (e: object, i: number) => ({ ...e, id: `fz${process.pid}-${run}-${i}` });
  if (b.kind === 'text') return { body: b.text, events: -1 };
  if (b.kind === 'bytes') return { body: b.bytes, events: -1 };
  if (b.kind === 'num') {
    const e = withId({ ts: Date.now(), provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false, input_tokens: 1, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0 }, 0);
    return { body: JSON.stringify({ events: [e] }).replace('"input_tokens":1', `"input_tokens":${b.n}`), events: 1 };
  }
  if (b.kind === 'many') {
    const e = { ts: Date.now() - 1000, provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false, input_tokens: 1, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0 };
    return { body: JSON.stringify({ events: Array.from({ length: b.n }, (_, i) => withId(e, i)) }), events: b.n };
  }
  const events: Record<string, unknown>[] = b.events.map((e, i) => withId(e, i));
  for (const m of b.mutations) {
    if (!events.length) break;
    const e = events[m.at % events.length];
    if (m.kind === 'delete') delete e[m.field];
    else e[m.field] = m.value;
  }
  return { body: JSON.stringify({ events }), events: events.length };
}

/** POST /api/ingest with exactly these bytes, signed. */
async function postSignedBytes(url: string, agent: { user_id: number; token: string }, body: string | Buffer): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}/api/ingest`, { method: 'POST', headers: signedHeaders(agent.user_id, agent.token, body), body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    return { status: res.status, json: { raw: text.slice(0, 200) } };
  }
}

const eventCount = async (app: TestApp, userId: number) =>
  Number((await rows<{ n: number }>(app.running.services.db, 'SELECT COUNT(*) AS n FROM usage_events WHERE user_id = ?', [userId]))[0].n);

/**
 * Signed ingest bodies: never a 5xx; a refused one (4xx) stores nothing; a stored one
 * stores exactly what it accepted.
 */
export async function fuzzIngest(app: TestApp, numRuns: number, seed: number): Promise<FuzzResult> {
  const out: FuzzResult = { requests: 0, statuses: {} };
  await app.createUser('fuzz-ingest');
  const agent = await app.createToken('fuzz-ingest');
  await fc.assert(fc.asyncProperty(ingestBody, async (b) => {
    const { body, events } = ingestBytes(b);
    const before = await eventCount(app, agent.user_id);
    const r = await postSignedBytes(app.url, agent, body);
    tally(out, r.status);
    const added = (await eventCount(app, agent.user_id)) - before;
    if (r.status >= 500) throw new Error(`ingest answered ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
    if (r.status !== 200) return added === 0;
    return added === r.json.accepted && (events < 0 || r.json.accepted + r.json.duplicates === events);
  }), { numRuns, seed });
  return out;
}

// ---- OTLP/HTTP JSON

const attr = (key: string, value: unknown) => ({ key, value });
const otlpValue = fc.oneof(
  nastyString.map((s) => ({ stringValue: s })), nastyValue.map((v) => ({ intValue: v })), nastyNumber.map((v) => ({ doubleValue: v })),
  nastyValue.map((v) => ({ stringValue: v })), nastyValue,
);
const nanos = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 3_600_000 }).map((ago) => `${Date.now() - ago}000000`) },
  { weight: 2, arbitrary: nastyValue },
  { weight: 1, arbitrary: fc.constantFrom(`${Date.UTC(1999, 5, 1)}000000`, `${Date.now() + 5 * 365 * 86_400_000}000000`, '99999999999999999999999', Date.now() * 1e6, '-1', '1e18') },
);
const tokenAttrs = fc.record({ input_tokens: otlpValue, output_tokens: otlpValue, cache_read_tokens: otlpValue, cache_creation_tokens: otlpValue }, { requiredKeys: [] });
const model = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('claude-haiku-4-5', 'gemini-2.5-pro', 'gpt-5') }, { weight: 2, arbitrary: nastyString });

const logRecord = fc.record({ time: nanos, model, tokens: tokenAttrs, request: fc.nat(), name: fc.constantFrom('api_request', 'claude_code.api_request', 'api_response', 'sse_event', 'other') })
  .map((r) => ({
    timeUnixNano: r.time, body: { stringValue: r.name },
    attributes: [attr('event.name', { stringValue: r.name }), attr('model', { stringValue: r.model }), attr('request_id', { stringValue: `req_${seq}_${r.request}` }),
      attr('event.kind', { stringValue: 'response.completed' }), attr('session.id', { stringValue: 'fuzz-session' }),
      ...Object.entries(r.tokens).map(([k, v]) => attr(k, v))],
  }));
const service = fc.constantFrom('claude-code', 'gemini-cli', 'codex', 'other');
const logsBody = fc.record({ service, records: fc.array(logRecord, { maxLength: 4 }) })
  .map((b) => ({ resourceLogs: [{ resource: { attributes: [attr('service.name', { stringValue: b.service })] }, scopeLogs: [{ logRecords: b.records }] }] }));
const point = fc.record({ start: nanos, end: nanos, value: fc.oneof(nastyValue.map((v) => ({ asInt: v })), nastyNumber.map((v) => ({ asDouble: v }))), type: fc.constantFrom('input', 'output', 'cacheRead', 'cacheCreation', 'other'), model })
  .map((p) => ({ startTimeUnixNano: p.start, timeUnixNano: p.end, ...p.value, attributes: [attr('type', { stringValue: p.type }), attr('model', { stringValue: p.model }), attr('session.id', { stringValue: 'fuzz-series' })] }));
const metricsBody = fc.record({ service, temporality: fc.oneof(fc.constantFrom(1, 2), nastyValue), points: fc.array(point, { maxLength: 4 }) })
  .map((b) => ({ resourceMetrics: [{ resource: { attributes: [attr('service.name', { stringValue: b.service })] }, scopeMetrics: [{ metrics: [{ name: 'claude_code.token.usage', sum: { aggregationTemporality: b.temporality, isMonotonic: true, dataPoints: b.points } }] }] }] }));
/** A part of an export replaced by anything at all: the receiver walks untrusted JSON. */
const broken = <T>(arb: fc.Arbitrary<T>) => fc.tuple(arb, fc.jsonValue({ maxDepth: 2 }), fc.nat()).map(([body, junk, at]) => {
  const text = JSON.stringify(body);
  const keys = [...text.matchAll(/"(resourceLogs|scopeLogs|logRecords|attributes|resource|value|resourceMetrics|scopeMetrics|metrics|sum|dataPoints|body)":/g)];
  if (!keys.length) return text;
  const k = keys[at % keys.length];
  // Put the junk where the key's value starts: JSON.parse of the result may fail (then a 400 is the right answer).
  const start = k.index! + k[0].length;
  const parsed = JSON.parse(text.slice(0, start) + JSON.stringify(junk) + ',"_":' + text.slice(start));
  return JSON.stringify(parsed);
});
const otlpRequest = fc.record({
  path: fc.constantFrom('/v1/logs', '/v1/metrics', 'token-logs', 'token-metrics'),
  body: fc.oneof({ weight: 4, arbitrary: logsBody.map((b) => JSON.stringify(b)) }, { weight: 3, arbitrary: metricsBody.map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: broken(logsBody) }, { weight: 1, arbitrary: broken(metricsBody) }, { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) }),
  encoding: fc.constantFrom('none', 'none', 'none', 'gzip', 'broken-gzip'),
});

/** OTLP exports: never a 5xx (stored events are checked with everything else by invalidStored). */
export async function fuzzOtlp(app: TestApp, numRuns: number, seed: number): Promise<FuzzResult> {
  const out: FuzzResult = { requests: 0, statuses: {} };
  await app.createUser('fuzz-otlp');
  const { token } = await app.createToken('fuzz-otlp');
  await fc.assert(fc.asyncProperty(otlpRequest, async (r) => {
    const signal = r.path.endsWith('metrics') ? 'metrics' : 'logs';
    const path = r.path.startsWith('token-') ? `/otlp/${token}/v1/${signal}` : r.path;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(r.path.startsWith('token-') ? {} : { authorization: `Bearer ${token}` }) };
    let body: Buffer = Buffer.from(r.body);
    if (r.encoding === 'gzip') body = gzipSync(body);
    if (r.encoding === 'broken-gzip') body = Buffer.concat([gzipSync(body).subarray(0, 12), Buffer.from('not gzip')]);
    if (r.encoding !== 'none') headers['content-encoding'] = 'gzip';
    const res = await fetch(`${app.url}${path}`, { method: 'POST', headers, body: new Uint8Array(body) });
    const text = await res.text();
    tally(out, res.status);
    if (res.status >= 500) throw new Error(`${path} answered ${res.status} ${text.slice(0, 200)}`);
    return true;
  }), { numRuns, seed });
  return out;
}

// ---- every route's query, path parameters and form

/** Routes fuzzed elsewhere (ingest, OTLP) or that reach outside on purpose (an alert test sends a webhook). */
const SKIP = new Set(['POST /api/ingest', 'POST /v1/metrics', 'POST /v1/logs', 'POST /otlp/:token/v1/metrics', 'POST /otlp/:token/v1/logs',
  'POST /admin/alerts/:id/test', 'POST /admin/alerts/deliveries/:id/retry']);

// Values the forms and filters take (so that fuzzed requests also get past the schemas
// into the handlers), beside the tricky ones.
const WORDS = ['on', 'true', 'admin', 'manager', 'member', 'week', 'month', 'usd', 'tokens', 'org', 'team', 'user', 'slack', 'webhook', 'anthropic', 'openai', 'cursor',
  'copilot', 'public', 'members', 'UTC', 'Europe/Paris', 'Mars/Olympus', '2026-11-01', '2026-12-01', '2026-13-45', '1', '0', '-1', '10', '3', '15', '0.25', '1e9', '50,80,100', '7d', '30d', '90d',
  'today', 'all', 'cost', 'sessions', 'messages', 'skills', 'fuzz-admin', 'target', 'newcomer', 'new.person-2', 'a@example.com', 'Frank;=HYPERLINK("x")', 'claude-haiku-4-5',
  'my-model-*', 'https://hooks.example.invalid/x', 'add', 'update', 'newcomer\nsecond-line', 'alice\nbob\ncarol',
  // Valid values the pages do not prefill: a closed loopback webhook, a signing secret, an
  // admin key's shape, a small LiteLLM price file, a new team slug.
  'http://127.0.0.1:9/fuzz-hook', 'fuzz-secret-0123456789', `sk-ant-admin01-${'a'.repeat(40)}`, 'fuzz-team-2', '2026-11-20',
  JSON.stringify({ 'fuzz-model-x': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, litellm_provider: 'anthropic', mode: 'chat' } }),
  // Edge values: the longest printable text most fields take, unicode, huge numbers.
  'é名😀'.repeat(30), 'z'.repeat(200), '99999999999999999999', '1e308', LIVE];
const formValue = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...WORDS) }, { weight: 3, arbitrary: nastyString }, { weight: 1, arbitrary: fc.array(fc.oneof(fc.constantFrom(...WORDS), nastyString), { minLength: 2, maxLength: 3 }) });

/** The keys a valibot `request({ params, query, body })` schema declares for one part. */
function declared(r: Route, part: 'query' | 'body' | 'params'): string[] {
  const entries = (r.input as unknown as { entries?: Record<string, { entries?: Record<string, unknown> }> } | undefined)?.entries;
  return Object.keys(entries?.[part]?.entries ?? {});
}

type Offered = Map<string, Set<string>>;

/**
 * The values the server's own pages offer for each field name (form inputs, select
 * options, the query strings of links), read from every page an admin can open: valid
 * values the generators mix in, so fuzzed requests reach the handlers too.
 */
async function offeredValues(app: TestApp, b: Browser, routes: Route[]): Promise<Offered> {
  const out: Offered = new Map();
  const offer = (k: string, v: string) => { if (!out.has(k)) out.set(k, new Set()); out.get(k)!.add(v.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'")); };
  for (const r of routes.filter((x) => x.method === 'GET' && !x.path.includes(':'))) {
    const html = (await b.get(r.path)).text;
    for (const m of html.matchAll(/<input\b[^>]*>/g)) {
      const name = /\bname="([^"]+)"/.exec(m[0])?.[1];
      const value = /\bvalue="([^"]*)"/.exec(m[0])?.[1];
      if (name && value !== undefined && name !== '_csrf') offer(name, value);
    }
    for (const m of html.matchAll(/<select\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
      for (const o of m[2].matchAll(/\bvalue="([^"]*)"/g)) offer(m[1], o[1]);
    }
    for (const m of html.matchAll(/href="[^"?]*\?([^"#]+)"/g)) {
      for (const [k, v] of new URLSearchParams(m[1].replace(/&amp;/g, '&'))) offer(k, v);
    }
  }
  return out;
}

const valueFor = (offered: Offered, key: string) => {
  const seen = [...(offered.get(key) ?? [])];
  return seen.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...seen) }, { weight: 5, arbitrary: formValue }) : formValue;
};

/**
 * Fields for a part: none (the defaults), one declared field, or several; plus, now and
 * then, fields nobody declared. One field at a time gets past the schema often enough for
 * the handler to see odd but valid values.
 */
const fieldsOf = (keys: string[], offered: Offered) => fc.record({
  known: keys.length === 0 ? fc.constant({}) : fc.oneof(
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 3, arbitrary: fc.constantFrom(...keys).chain((k) => valueFor(offered, k).map((v) => ({ [k]: v }))) },
    { weight: 2, arbitrary: fc.record(Object.fromEntries(keys.map((k) => [k, valueFor(offered, k)])), { requiredKeys: [] }) },
  ),
  extra: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('_csrf', 'q', 'role', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), formValue, { maxKeys: 2 }) }),
}).map((f) => ({ ...f.extra, ...f.known }));

function encode(fields: Record<string, unknown>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) p.append(k, String(one));
  return p;
}

function multipart(fields: Record<string, unknown>, boundary: string): Buffer {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      // `text` as an uploaded file (the price file), anything else as a plain field.
      const disposition = k === 'text' ? `form-data; name="file"; filename="prices.json"\r\nContent-Type: application/json` : `form-data; name="${k.replace(/["\r\n]/g, '')}"`;
      parts.push(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n${String(one)}\r\n`);
    }
  }
  return Buffer.from(`${parts.join('')}--${boundary}--\r\n`);
}

/** The admin the route fuzz signs in as, back to an active admin (a fuzzed form may have demoted, deactivated or signed it out). */
async function adminSession(app: TestApp, b: Browser | null): Promise<Browser> {
  if (b && (await b.get('/admin')).status === 200) return b;
  const { db } = app.running.services;
  if (!(await findUser(db, 'fuzz-admin'))) await addUser(db, { login: 'fuzz-admin', role: 'admin' }, CLI_ACTOR);
  await updateUser(db, 'fuzz-admin', { role: 'admin', active: true });
  return app.signIn('fuzz-admin', 'admin');
}

/**
 * Every route but SKIP, `runsPerRoute` times each: path parameters, query and form fields
 * (declared ones with tricky values, plus unknown ones), sometimes as htmx, sometimes
 * without or with a wrong CSRF token, as a signed-in admin. Never a 5xx.
 */
export interface RouteTally {
  requests: number;
  /** Requests the route's input schema took: the handler ran (read from the server's tokenboard_route_input_total). */
  past_schema: number;
  /** Requests the schema refused (a 400 naming the field). */
  refused_by_schema: number;
  statuses: Record<string, number>;
  /** Whether the route declares an input schema. */
  schema: boolean;
}

export type RoutesResult = FuzzResult & { routes: number; byRoute: Record<string, RouteTally> };

/** The server's count of requests whose input a route's schema took (valid) or refused. */
async function inputCounts(app: TestApp, route: string): Promise<{ valid: number; refused: number }> {
  const { values } = await app.running.services.metrics.routeInput.get();
  const of = (outcome: string) => values.find((x) => x.labels.route === route && x.labels.outcome === outcome)?.value ?? 0;
  return { valid: of('valid'), refused: of('refused') };
}

/** Routes with a schema that no fuzzed request got past: their handlers were never exercised. */
export const neverPastSchema = (r: RoutesResult) => Object.entries(r.byRoute).filter(([, t]) => t.schema && t.past_schema === 0).map(([k]) => k);

export async function fuzzRoutes(app: TestApp, runsPerRoute: number, seed: number): Promise<RoutesResult> {
  const out: RoutesResult = { requests: 0, statuses: {}, routes: 0, byRoute: {} };
  await app.createUser('target');
  let b = await adminSession(app, null);
  // The sign-in link routes last: their failures count against this address's sign-in
  // rate limit, which would then refuse the fuzzer's own sign-ins after a logout.
  const last = (r: Route) => (r.path.startsWith('/login/link') ? 1 : 0);
  const routes = createRoutes(app.running.services).filter((r) => !SKIP.has(`${r.method} ${r.path}`)).sort((a, z) => last(a) - last(z));
  const offered = await offeredValues(app, b, routes);
  for (const r of routes) {
    out.routes++;
    const paramNames = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]);
    // LIVE (weighted up): a row that exists when the request is sent (drill/_fuzz-live.ts);
    // beside it ids that do not exist, the largest id the schema takes, and tricky text.
    const live = { weight: 4, arbitrary: fc.constant(LIVE) };
    const param = (name: string) => name === 'login' ? fc.oneof(live, fc.constantFrom('target', 'fuzz-admin', 'nobody'), nastyString)
      : name === 'id' ? fc.oneof(live, fc.constantFrom('1', '2', '3', '0', '9999999999999999', '99999999999999999'), nastyString) : fc.oneof(live, nastyString);
    const request = fc.record({
      params: fc.tuple(...paramNames.map(param)),
      query: fieldsOf(declared(r, 'query'), offered),
      body: fieldsOf(declared(r, 'body'), offered),
      htmx: fc.constantFrom(null, 'lb-table', 'board', 'main'),
      csrf: fc.constantFrom('good', 'good', 'good', 'good', 'good', 'good', 'missing', 'wrong'),
    });
    await fc.assert(fc.asyncProperty(request, async (x) => {
      const params = await Promise.all(paramNames.map((n, k) => (x.params[k] === LIVE ? liveValue(app, r.path, n) : x.params[k])));
      for (const part of [x.query, x.body] as Record<string, unknown>[]) {
        for (const [k, v] of Object.entries(part)) if (v === LIVE) part[k] = await liveValue(app, r.path, k);
      }
      let i = 0;
      const path = r.path.replace(/:([A-Za-z_]+)/g, () => encodeURIComponent(String(params[i++] ?? '')).replace(/^$/, 'x'));
      const query = encode(x.query).toString();
      const headers: Record<string, string> = { cookie: b.cookie, accept: r.access.kind === 'api' ? 'application/json' : 'text/html' };
      if (x.htmx) Object.assign(headers, { 'hx-request': 'true', 'hx-target': x.htmx });
      let body: string | Buffer | undefined;
      if (r.method === 'POST') {
        const fields: Record<string, unknown> = { ...x.body };
        if (x.csrf === 'good') fields._csrf = b.csrf;
        if (x.csrf === 'wrong') fields._csrf = 'not-the-token';
        if (r.body?.kind === 'multipart') {
          headers['content-type'] = 'multipart/form-data; boundary=fuzzboundary';
          body = multipart(fields, 'fuzzboundary');
        } else {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          body = encode(fields).toString();
        }
      }
      const key = `${r.method} ${r.path}`;
      const before = await inputCounts(app, key);
      const res = await fetch(`${app.url}${path}${query ? `?${query}` : ''}`, { method: r.method, headers, body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body), redirect: 'manual' });
      const text = await res.text();
      const after = await inputCounts(app, key);
      tally(out, res.status);
      const mine = (out.byRoute[key] ??= { requests: 0, past_schema: 0, refused_by_schema: 0, statuses: {}, schema: r.input !== undefined });
      mine.requests++;
      mine.past_schema += after.valid - before.valid;
      mine.refused_by_schema += after.refused - before.refused;
      mine.statuses[res.status] = (mine.statuses[res.status] ?? 0) + 1;
      if (res.status >= 500) throw new Error(`${r.method} ${path}?${query} answered ${res.status}: ${text.slice(0, 300)}`);
      if (r.method === 'POST') b = await adminSession(app, b);
      return true;
    }), { numRuns: runsPerRoute, seed });
  }
  return out;
}

// ---- what ended up stored

const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

/**
 * Problems with what is stored: a usage event that breaks the wire rules (ts bounds,
 * printable names, counts), or a text cell anywhere holding a control or invisible
 * format character. Empty when all is well.
 */
export async function invalidStored(app: TestApp): Promise<string[]> {
  const { db } = app.running.services;
  const problems: string[] = [];
  type Row = Record<string, unknown>;
  for (const e of await rows<Row>(db, 'SELECT * FROM usage_events')) {
    const p = storedEventProblem(e);
    if (p) problems.push(`usage_events ${String(e.event_id)}: ${p}`);
  }
  for (const table of await everyTable(db)) {
    for (const row of await rows<Row>(db, `SELECT * FROM ${table}`)) {
      for (const [col, v] of Object.entries(row)) {
        if (typeof v === 'string' && UNPRINTABLE.test(v)) problems.push(`${table}.${col}: ${JSON.stringify(v).slice(0, 120)}`);
      }
    }
  }
  return problems.slice(0, 20);
}

// DESIGN's field rules, written out again here rather than taken from agent/wire.ts: the
// check must not share a mistake with the code it checks.
const DAY_MS = 86_400_000;
const MIN_TS = Date.UTC(2000, 0, 1);
const text = (v: unknown, max: number) => typeof v === 'string' && [...v].length >= 1 && [...v].length <= max && !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u.test(v);
const count = (v: unknown) => Number.isSafeInteger(Number(v)) && Number(v) >= 0;

/** Why a stored usage event could not have come in through the wire rules, or null. */
function storedEventProblem(e: Record<string, unknown>): string | null {
  const ts = Number(e.ts);
  if (!Number.isSafeInteger(ts) || ts < MIN_TS || ts > Number(e.received_at) + DAY_MS) return `ts ${e.ts} outside 2000-01-01 .. received_at + 24 h`;
  for (const f of ['provider', 'model']) if (!text(e[f], 128)) return `${f} ${JSON.stringify(e[f])} is not 1-128 printable characters`;
  if (!text(e.source, 64)) return `source ${JSON.stringify(e.source)} is not 1-64 printable characters`;
  const counts = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens'];
  for (const f of counts) if (!count(e[f])) return `${f} ${e[f]} is not a non-negative integer`;
  if (counts.slice(0, 4).reduce((n, f) => n + Number(e[f]), 0) > 2_000_000) return 'more than 2,000,000 tokens in one event';
  if (Number(e.cache_write_1h_tokens) > Number(e.cache_write_tokens)) return 'cache_write_1h_tokens above cache_write_tokens';
  if (e.event_id !== null && !/^[A-Za-z0-9._:-]{1,128}$/.test(String(e.event_id))) return 'event id outside [A-Za-z0-9._:-]{1,128}';
  if (e.skills !== null) {
    const skills: unknown = JSON.parse(String(e.skills));
    if (!Array.isArray(skills) || skills.length > 32 || !skills.every((k) => text(k, 64))) return `skills ${String(e.skills)}`;
  }
  return null;
}
