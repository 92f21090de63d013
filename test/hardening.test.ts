// Findings of the security review, each with the test that would have caught it:
// secrets in the server log after any failure, OTLP storing events ingest refuses (dates
// out of bounds, invisible characters), OTLP errors as HTML, /metrics open to anyone.
import test from 'ava';
import { withApp, postIngest, event, type TestApp } from './helpers/app.ts';
import { redact } from '../src/log.ts';
import { rows } from './helpers/db.ts';

const NS = (ms: number) => `${ms}000000`;
const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
const i = (key: string, v: number) => ({ key, value: { intValue: v } });
const request = (model: string, timeUnixNano: string | number, id: string) => ({
  timeUnixNano, attributes: [s('event.name', 'api_request'), s('model', model), i('input_tokens', 10), i('output_tokens', 5), s('request_id', id)],
});
const logs = (records: unknown[]) => ({ resourceLogs: [{ resource: { attributes: [s('service.name', 'claude-code')] }, scopeLogs: [{ logRecords: records }] }] });

let app: TestApp;
let token: string;
test.before(async () => {
  app = await withApp({ 'server.metrics_token': 'metrics-secret-0123456789abcdef' });
  await app.createUser('otto');
  token = (await app.createToken('otto')).token;
});
test.after.always(async () => { await app?.stop(); });

test('redact(): agent tokens, the OTLP path token, Bearer headers and provider keys never reach a log line', (t) => {
  const line = redact(`path=/otlp/${'tbk_abcdefghijklmnopqrstuvwxyz012345'}/v1/logs auth=Bearer abcdefghijklmnop key=sk-ant-admin01-ABCDEFGHIJKLMNOPQRST crsr_0123456789abcdef0123 gho_ABCDEFGHIJKLMNOPQRSTUV`);
  t.is(line, 'path=/otlp/[token]/v1/logs auth=Bearer [redacted] key=sk-[redacted] crsr_[redacted] gh_[redacted]');
  t.is(redact('GET /u/alice 200'), 'GET /u/alice 200', 'ordinary lines are left alone');
});

test('the token in an OTLP path reaches no log line after any kind of failure, a 5xx included', async (t) => {
  const { db } = app.running.services;
  const path = `/otlp/${token}/v1/logs`;
  const send = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => fetch(`${app.url}${path}`, { method: 'POST', headers, body });
  const before = app.logs.length;
  t.is((await send('{not json')).status, 400);
  t.is((await send('{}', { 'content-type': 'application/x-protobuf' })).status, 415);
  t.is((await fetch(`${app.url}/otlp/tbk_not-a-real-token-0123456789/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401);
  // A database failure while storing: a 500, answered as JSON on this API path.
  const original = db.writer.transaction;
  db.writer.transaction = async () => { throw new Error(`disk I/O error while storing for ${path}`); };
  try {
    const res = await send(JSON.stringify(logs([request('claude-haiku-4-5', NS(Date.now() - 60_000), 'req_5xx')])));
    t.is(res.status, 500);
    t.regex(res.headers.get('content-type') ?? '', /application\/json/);
    t.deepEqual(await res.json(), { error: 'internal error', code: 'internal' });
  } finally {
    db.writer.transaction = original;
  }
  const written = app.logs.slice(before).join('');
  t.regex(written, /request failed/, 'the 500 was logged');
  t.regex(written, /\/otlp\/\[token\]\/v1\/logs/);
  t.false(written.includes(token), 'no line holds the token');
  t.false(app.logs.join('').includes(token));
});

test('OTLP applies the ingest API\'s event rules: dates outside 2000…now+24h and invisible characters are refused, not stored', async (t) => {
  const now = Date.now();
  const res = await fetch(`${app.url}/v1/logs`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(logs([
      request('claude-haiku-4-5', NS(Date.UTC(1999, 5, 1)), 'req_1999'),
      request('claude-haiku-4-5', NS(now + 5 * 365 * 86_400_000), 'req_future'),
      request('claude-haiku-4-5\u200b', NS(now - 60_000), 'req_zwsp'),
      // A JSON number far beyond any date (it once made a 500).
      request('claude-haiku-4-5', 9e30, 'req_huge'),
      request('claude-haiku-4-5', NS(now - 60_000), 'req_ok'),
    ])),
  });
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { partialSuccess: { rejectedLogRecords: '4', errorMessage: '4 usage record(s) without a model, time or valid counts were dropped' } });
  const stored = await rows<{ model: string; ts: number }>(app.running.services.db, "SELECT model, ts FROM usage_events WHERE source = 'otlp'");
  t.is(stored.length, 1);
  t.is(stored[0].model, 'claude-haiku-4-5');
});

test('/metrics wants server.metrics_token as a Bearer token when one is set', async (t) => {
  t.is((await fetch(`${app.url}/metrics`)).status, 401);
  t.is((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  const ok = await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret-0123456789abcdef' } });
  t.is(ok.status, 200);
  t.regex(await ok.text(), /tokenboard_ingest_events_accepted_total/);
});

test('/api/v1/me and /api/v1/team exist: the caller\'s own numbers; the team view for managers only', async (t) => {
  await app.createUser('mae');
  const mae = await app.createToken('mae');
  await postIngest(app.url, mae, { events: [event({ input_tokens: 30, output_tokens: 12 })] });
  const bearer = (tok: string) => ({ authorization: `Bearer ${tok}` });
  const me = await fetch(`${app.url}/api/v1/me?window=all`, { headers: bearer(mae.token) });
  t.is(me.status, 200);
  const body = await me.json() as { user: { login: string; role: string }; totals: { tokens: number; messages: number } };
  t.like(body.user, { login: 'mae', role: 'member' });
  t.like(body.totals, { input_tokens: 30, output_tokens: 12, total_tokens: 42, messages: 1 });
  t.is((await fetch(`${app.url}/api/v1/me`)).status, 401);
  t.is((await fetch(`${app.url}/api/v1/team`, { headers: bearer(mae.token) })).status, 403, 'a member is not a manager');
  await app.createUser('moe', 'manager');
  const moe = await app.createToken('moe');
  const team = await fetch(`${app.url}/api/v1/team?window=all`, { headers: bearer(moe.token) });
  t.is(team.status, 200);
  const v = await team.json() as { members: number; active: number };
  t.true(v.members >= 2);
  t.true(v.active >= 1);
});
