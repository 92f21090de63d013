// The OTLP/HTTP JSON receiver against fixtures shaped like Claude Code, Gemini CLI and
// Codex exports: delta and cumulative metrics, asInt as string and number, asDouble,
// gzip, and a prompt attribute that must never reach the database or the logs.
import test from 'ava';
import { gzipSync } from 'node:zlib';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { withApp, type TestApp } from './helpers/app.ts';
import { otelSetup } from '../src/otlp/setup.ts';
import { everyRow } from './helpers/db.ts';

const MARKER = 'PRIVATE-PROMPT-MARKER-91c2';
const NS = (ms: number) => `${ms}000000`;
const T0 = Date.UTC(2026, 9, 5, 9, 0);
const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
const i = (key: string, v: number | string) => ({ key, value: { intValue: v } });

function apiRequest(requestId: string, tokens: [number, number, number, number], at = T0) {
  return {
    timeUnixNano: NS(at), body: { stringValue: 'claude_code.api_request' },
    attributes: [s('event.name', 'api_request'), s('session.id', 'raw-session-id-123'), s('model', 'claude-haiku-4-5'),
      i('input_tokens', String(tokens[0])), i('output_tokens', tokens[1]), i('cache_read_tokens', String(tokens[2])), i('cache_creation_tokens', tokens[3]),
      s('request_id', requestId), { key: 'cost_usd', value: { doubleValue: 0.02 } }, s('prompt', MARKER), s('tool_parameters', `{"path":"/home/${MARKER}"}`)],
  };
}
const logs = (records: unknown[], service = 'claude-code') => ({ resourceLogs: [{ resource: { attributes: [s('service.name', service)] }, scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: records }] }] });

function point(type: string, value: { asInt?: string | number; asDouble?: number }, start: number, end: number) {
  return { startTimeUnixNano: NS(start), timeUnixNano: NS(end), ...value, attributes: [s('type', type), s('model', 'claude-sonnet-4-5'), s('session.id', 'sess-A'), s('user.email', MARKER)] };
}
const metrics = (temporality: 1 | 2, points: unknown[]) => ({ resourceMetrics: [{ resource: { attributes: [s('service.name', 'claude-code')] }, scopeMetrics: [{ metrics: [{ name: 'claude_code.token.usage', unit: 'tokens', sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: points } }] }] }] });

let app: TestApp;
test.before(async () => { app = await withApp(); });
test.after.always(async () => { await app?.stop(); });

async function agent(login: string) {
  await app.createUser(login);
  return (await app.createToken(login)).token;
}

async function post(path: string, token: string | null, body: unknown, opts: { gzip?: boolean; type?: string } = {}) {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.gzip) headers['content-encoding'] = 'gzip';
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers, body: opts.gzip ? gzipSync(raw) : raw });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

test('Claude Code api_request events: counted once per request id, content dropped', async (t) => {
  const tok = await agent('otl1');
  const body = logs([apiRequest('req_1', [3, 96, 22110, 1840]), apiRequest('req_2', [10, 20, 0, 0], T0 + 60_000)]);
  t.deepEqual(await post('/v1/logs', tok, body), { status: 200, json: {} });
  t.deepEqual(await post('/v1/logs', tok, body, { gzip: true }), { status: 200, json: {} }, 'a resend (gzipped) adds nothing');
  const st = await app.stats('otl1');
  t.is(st.events, 2);
  t.is(st.input_tokens, 13);
  t.is(st.output_tokens, 116);
  t.is(st.cache_read_tokens, 22110);
  t.is(st.cache_write_tokens, 1840);
  t.is(st.sessions, 1);
});

test('metrics: delta points are summed; asInt as string or number, asDouble', async (t) => {
  const tok = await agent('otl2');
  const body = metrics(1, [
    point('input', { asInt: '100' }, T0, T0 + 60_000), point('output', { asInt: 50 }, T0, T0 + 60_000),
    point('cacheRead', { asDouble: 1000 }, T0, T0 + 60_000), point('cacheCreation', { asInt: '7' }, T0, T0 + 60_000),
    point('input', { asInt: '5' }, T0 + 60_000, T0 + 120_000),
  ]);
  t.deepEqual(await post('/v1/metrics', tok, body), { status: 200, json: {} });
  t.deepEqual(await post('/v1/metrics', tok, body), { status: 200, json: {} }, 'the same export again adds nothing');
  const st = await app.stats('otl2');
  t.deepEqual([st.input_tokens, st.output_tokens, st.cache_read_tokens, st.cache_write_tokens, st.events], [105, 50, 1000, 7, 2]);
});

test('metrics: cumulative points are diffed per series, a restart is a new start', async (t) => {
  const tok = await agent('otl3');
  const start = T0;
  await post('/v1/metrics', tok, metrics(2, [point('input', { asInt: '100' }, start, start + 60_000)]));
  await post('/v1/metrics', tok, metrics(2, [point('input', { asInt: '250' }, start, start + 120_000)]));
  await post('/v1/metrics', tok, metrics(2, [point('input', { asInt: '250' }, start, start + 180_000)]));
  // The CLI restarted: a new start time, counting from zero again.
  await post('/v1/metrics', tok, metrics(2, [point('input', { asInt: '30' }, start + 200_000, start + 240_000)]));
  const st = await app.stats('otl3');
  t.is(st.input_tokens, 100 + 150 + 0 + 30);
  t.is(st.events, 3);
});

test('never both: once api_request events arrive, token.usage metrics are ignored', async (t) => {
  const tok = await agent('otl4');
  await post('/v1/logs', tok, logs([apiRequest('req_x', [10, 10, 0, 0])]));
  await post('/v1/metrics', tok, metrics(1, [point('input', { asInt: '10' }, T0, T0 + 60_000), point('output', { asInt: '10' }, T0, T0 + 60_000)]));
  const st = await app.stats('otl4');
  t.is(st.events, 1);
  t.is(st.input_tokens, 10);
});

test('Gemini CLI and Codex events follow the counting rules', async (t) => {
  const tok = await agent('otl5');
  await post('/v1/logs', tok, logs([{
    timeUnixNano: NS(T0), attributes: [s('event.name', 'gemini_cli.api_response'), s('model', 'gemini-2.5-pro'), i('input_token_count', 1000), i('cached_content_token_count', 400), i('output_token_count', 50), i('thoughts_token_count', 25), s('prompt_id', 'p1')],
  }], 'gemini-cli'));
  await post('/v1/logs', tok, logs([{
    timeUnixNano: NS(T0 + 1000), attributes: [s('event.name', 'codex.sse_event'), s('event.kind', 'response.completed'), s('model', 'gpt-5-codex'), i('input_token_count', 500), i('cached_token_count', 200), i('output_token_count', 80), i('reasoning_token_count', 30)],
  }], 'codex_cli_rs'));
  const st = await app.stats('otl5');
  const gem = st.models.find((m) => m.model === 'gemini-2.5-pro')!;
  t.deepEqual([gem.input_tokens, gem.cache_read_tokens, gem.output_tokens], [600, 400, 75]);
  const codex = st.models.find((m) => m.model === 'gpt-5-codex')!;
  t.deepEqual([codex.input_tokens, codex.cache_read_tokens, codex.output_tokens], [300, 200, 80], 'reasoning is already inside output');
});

test('bad requests: 401 without a live token, 400/415 with a reason, partialSuccess for unusable records', async (t) => {
  const tok = await agent('otl6');
  t.is((await post('/v1/logs', null, logs([]))).status, 401);
  t.is((await post('/v1/logs', 'tbk_wrong', logs([]))).status, 401);
  const notJson = await post('/v1/logs', tok, '{nope');
  t.is(notJson.status, 400);
  t.regex(String(notJson.json.error), /JSON/);
  const shape = await post('/v1/metrics', tok, { resourceLogs: [] });
  t.is(shape.status, 400);
  t.regex(String(shape.json.error), /resourceMetrics/);
  t.is((await post('/v1/logs', tok, 'x', { type: 'application/x-protobuf' })).status, 415);
  const badGzip = await fetch(`${app.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${tok}` }, body: 'not gzip' });
  t.is(badGzip.status, 400);
  const partial = await post('/v1/logs', tok, logs([{ timeUnixNano: NS(T0), attributes: [s('event.name', 'api_request'), i('input_tokens', 5)] }]));
  t.is(partial.status, 200);
  t.deepEqual(partial.json, { partialSuccess: { rejectedLogRecords: '1', errorMessage: '1 usage record(s) without a model, time or valid counts were dropped' } });
});

test('the prompt marker and raw session ids never reach the database or the logs', async (t) => {
  const tok = await agent('otl7');
  await post('/v1/logs', tok, logs([apiRequest('req_priv', [1, 1, 0, 0])]));
  await post('/v1/metrics', tok, metrics(1, [point('input', { asInt: '1' }, T0, T0 + 1000)]));
  const { db } = app.running.services;
  await db.writer.idle();
  const stored = await everyRow(db);
  t.true(stored.includes('usage_events'), 'the dump covers the tables');
  t.false(stored.includes(MARKER), 'no table holds prompt text');
  t.false(stored.includes('raw-session-id-123'), 'no table holds a raw session id');
  // On SQLite, the files themselves too (freed pages and the WAL included).
  const files = readdirSync(app.dataDir).filter((f) => f.startsWith('tokenboard.sqlite'));
  t.is(files.length > 0, db.dialect === 'sqlite');
  for (const f of files) {
    const bytes = readFileSync(join(app.dataDir, f));
    t.false(bytes.includes(MARKER), `${f} holds no prompt text`);
    t.false(bytes.includes('raw-session-id-123'), `${f} holds no raw session id`);
  }
  t.false(app.logs.join('').includes(MARKER));
});

test('Gemini CLI style: the token in the path works, and never reaches the logs', async (t) => {
  const tok = await agent('otl8');
  const res = await fetch(`${app.url}/otlp/${tok}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(logs([{
    timeUnixNano: NS(T0), attributes: [s('event.name', 'gemini_cli.api_response'), s('model', 'gemini-2.5-flash'), i('input_token_count', 10), i('output_token_count', 5), s('prompt_id', 'p9')],
  }], 'gemini-cli')) });
  t.is(res.status, 200);
  t.is((await app.stats('otl8')).total_tokens, 15);
  t.is((await fetch(`${app.url}/otlp/tbk_wrong/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceMetrics":[]}' })).status, 401);
  const logged = app.logs.join('');
  t.true(logged.includes('/otlp/[token]/v1/logs'));
  t.false(logged.includes(tok));
});

test('the set-up lines name the server and the token for each CLI', (t) => {
  const lines = otelSetup('https://tb.example.com/', 'tbk_abc');
  t.deepEqual(lines.map((l) => l.tool), ['Claude Code', 'Codex CLI', 'Gemini CLI']);
  t.true(lines[0].lines.includes('export OTEL_EXPORTER_OTLP_ENDPOINT=https://tb.example.com'));
  t.true(lines[0].lines.includes('export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer tbk_abc"'));
  t.true(lines[1].lines.some((l) => l.includes('endpoint = "https://tb.example.com/v1/logs"')));
  t.true(lines[2].lines.includes('export GEMINI_TELEMETRY_OTLP_ENDPOINT=https://tb.example.com/otlp/tbk_abc'));
});
