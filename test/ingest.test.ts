// POST /api/ingest against every row of the contract table in ../shared/DESIGN.md.
import test from 'ava';
import { withApp, postIngest, event, type TestApp, type Agent } from './helpers/app.ts';
import { signedHeaders, sha256hex } from '../agent/wire.ts';

let app: TestApp;
let alice: Agent;

test.before(async () => {
  app = await withApp();
  await app.createUser('alice');
  alice = await app.createToken('alice');
});
test.after.always(async () => { await app?.stop(); });

test('a valid batch is stored: 200 with accepted and duplicates', async (t) => {
  const res = await postIngest(app.url, alice, { events: [event(), event()] });
  t.is(res.status, 200);
  t.deepEqual(res.json, { accepted: 2, duplicates: 0 });
});

test('an empty events array is a signed ping', async (t) => {
  const res = await postIngest(app.url, alice, { events: [] });
  t.is(res.status, 200);
  t.deepEqual(res.json, { accepted: 0, duplicates: 0 });
});

test('missing signature headers → 401 naming them', async (t) => {
  const res = await fetch(`${app.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"events":[]}' });
  t.is(res.status, 401);
  const json = await res.json() as { error: string };
  t.regex(json.error, /x-ta-user/);
  t.regex(json.error, /x-ta-sig/);
});

test('one missing header → 401', async (t) => {
  const body = '{"events":[]}';
  const h = signedHeaders(alice.user_id, alice.token, body);
  delete h['x-ta-ts'];
  const res = await fetch(`${app.url}/api/ingest`, { method: 'POST', headers: h, body });
  t.is(res.status, 401);
  t.regex((await res.json() as { error: string }).error, /x-ta-ts/);
});

test('a wrong signature → 401', async (t) => {
  const res = await postIngest(app.url, { user_id: alice.user_id, token: 'tbk_not-the-token' }, { events: [event()] });
  t.is(res.status, 401);
  t.truthy(res.json.error);
});

test('a signature over a different body → 401', async (t) => {
  const body = JSON.stringify({ events: [event()] });
  const headers = signedHeaders(alice.user_id, alice.token, '{"events":[]}');
  const res = await fetch(`${app.url}/api/ingest`, { method: 'POST', headers, body });
  t.is(res.status, 401);
});

test('a malformed signature header → 401', async (t) => {
  const res = await postIngest(app.url, alice, { events: [] }, { headers: { 'x-ta-sig': 'zz' } });
  t.is(res.status, 401);
});

test('an unknown user → 401', async (t) => {
  const res = await postIngest(app.url, { user_id: 999_999, token: alice.token }, { events: [event()] });
  t.is(res.status, 401);
});

test('a revoked token → 401, the other token of the user still works', async (t) => {
  await app.createUser('rita');
  const keep = await app.createToken('rita', 'laptop');
  const gone = await app.createToken('rita', 'old');
  t.is((await postIngest(app.url, gone, { events: [event()] })).status, 200);
  const { revokeTokens } = await import('../src/users/tokens.ts');
  const { requireUser } = await import('../src/users/users.ts');
  const db = app.running.services.db;
  await revokeTokens(db, await requireUser(db, 'rita'), 'old', { userId: null, login: 'test' });
  t.is((await postIngest(app.url, gone, { events: [event()] })).status, 401);
  t.is((await postIngest(app.url, keep, { events: [event()] })).status, 200);
});

test('x-ta-ts more than 60 s away → 401 naming the drift', async (t) => {
  const behind = await postIngest(app.url, alice, { events: [event()] }, { ts: Date.now() - 61_000 });
  t.is(behind.status, 401);
  t.regex(behind.json.error, /drift/);
  t.regex(behind.json.error, /behind/);
  const ahead = await postIngest(app.url, alice, { events: [event()] }, { ts: Date.now() + 90_000 });
  t.is(ahead.status, 401);
  t.regex(ahead.json.error, /drift.*ahead|ahead.*drift/);
});

test('a timestamp 50 s off is inside the window', async (t) => {
  const res = await postIngest(app.url, alice, { events: [event()] }, { ts: Date.now() - 50_000 });
  t.is(res.status, 200);
});

test('the same (user, ts, body) again → 409', async (t) => {
  const body = JSON.stringify({ events: [event({ id: undefined, input_tokens: 7 })] });
  const headers = signedHeaders(alice.user_id, alice.token, body);
  const first = await fetch(`${app.url}/api/ingest`, { method: 'POST', headers, body });
  t.is(first.status, 200);
  const again = await fetch(`${app.url}/api/ingest`, { method: 'POST', headers, body });
  t.is(again.status, 409);
  t.truthy((await again.json() as { error: string }).error);
});

test('a body over 512 KB → 413 (with or without a content-length)', async (t) => {
  const big = JSON.stringify({ events: [], pad: 'x'.repeat(600 * 1024) });
  const res = await postIngest(app.url, alice, big);
  t.is(res.status, 413);
  t.regex(res.json.error, /bytes/);
  // Chunked: no content-length, the limit is enforced while reading.
  const headers = signedHeaders(alice.user_id, alice.token, big);
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } });
  const chunked = await fetch(`${app.url}/api/ingest`, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit);
  t.is(chunked.status, 413);
});

test('more than 500 events → 413', async (t) => {
  const events = Array.from({ length: 501 }, () => event());
  const res = await postIngest(app.url, alice, { events });
  t.is(res.status, 413);
  t.regex(res.json.error, /500/);
});

test('not JSON → 400', async (t) => {
  const res = await postIngest(app.url, alice, '{"events": [');
  t.is(res.status, 400);
  t.regex(res.json.error, /JSON/);
});

test('wrong shapes → 400 naming the field', async (t) => {
  const cases: [unknown, RegExp][] = [
    [[], /body/],
    [{}, /events/],
    [{ events: {} }, /events/],
    [{ events: [], extra: 1 }, /^extra: unknown field/],
    [{ events: [1] }, /events\[0\]/],
    [{ events: [event(), event(), event(), { ...event(), input_tokens: -1 }] }, /^events\[3\]\.input_tokens/],
    [{ events: [{ ...event(), input_tokens: 1.5 }] }, /events\[0\]\.input_tokens/],
    [{ events: [{ ...event(), output_tokens: '5' }] }, /events\[0\]\.output_tokens/],
    [{ events: [{ ...event(), ts: 0 }] }, /events\[0\]\.ts/],
    [{ events: [{ ...event(), is_local: 'no' }] }, /events\[0\]\.is_local/],
    [{ events: [{ ...event(), model: '' }] }, /events\[0\]\.model/],
    [{ events: [{ ...event(), model: 'x'.repeat(129) }] }, /events\[0\]\.model/],
    [{ events: [{ ...event(), provider: 'open\nai' }] }, /events\[0\]\.provider/],
    [{ events: [{ ...event(), id: 'has space' }] }, /events\[0\]\.id/],
    [{ events: [{ ...event(), source: 's'.repeat(65) }] }, /events\[0\]\.source/],
    [{ events: [{ ...event(), session: 'x'.repeat(129) }] }, /events\[0\]\.session/],
    [{ events: [{ ...event(), skills: 'pdf' }] }, /events\[0\]\.skills/],
    [{ events: [{ ...event(), skills: ['ok', ''] }] }, /events\[0\]\.skills\[1\]/],
    [{ events: [{ ...event(), skills: Array(33).fill('s') }] }, /events\[0\]\.skills/],
    [{ events: [{ ...event(), prompt: 'secret text' }] }, /events\[0\]\.prompt: unknown field/],
    // Dates outside 2000-01-01 … server clock + 24 h (a ts near 8.64e15 once made a 500).
    [{ events: [{ ...event(), ts: Date.UTC(1999, 11, 31) }] }, /events\[0\]\.ts: is before 2000/],
    [{ events: [{ ...event(), ts: Date.now() + 25 * 3_600_000 }] }, /events\[0\]\.ts: is more than 24 hours ahead/],
    [{ events: [{ ...event(), ts: 8.64e15 }] }, /events\[0\]\.ts/],
    [{ events: [{ ...event(), ts: 9e15 }] }, /events\[0\]\.ts/],
    // Invisible format characters (Cf): a zero-width twin of a priced model, bidi overrides, soft hyphens.
    [{ events: [{ ...event(), model: 'claude-haiku-4-5\u200b' }] }, /events\[0\]\.model/],
    [{ events: [{ ...event(), provider: 'anthro\u202epic' }] }, /events\[0\]\.provider/],
    [{ events: [{ ...event(), source: 'cl\u00adaude' }] }, /events\[0\]\.source/],
    [{ events: [{ ...event(), session: 'a\ufeffb' }] }, /events\[0\]\.session/],
    [{ events: [{ ...event(), skills: ['re\u200dview'] }] }, /events\[0\]\.skills\[0\]/],
    // The 1-hour part of the cache writes is never more than the cache writes.
    [{ events: [{ ...event(), cache_write_tokens: 10, cache_write_1h_tokens: 11 }] }, /events\[0\]\.cache_write_1h_tokens/],
    [{ events: [{ ...event(), cache_write_1h_tokens: -1 }] }, /events\[0\]\.cache_write_1h_tokens/],
    [{ events: [{ ...event(), cache_write_1h_tokens: '5' }] }, /events\[0\]\.cache_write_1h_tokens/],
  ];
  for (const [body, re] of cases) {
    const res = await postIngest(app.url, alice, JSON.stringify(body));
    t.is(res.status, 400, JSON.stringify(body).slice(0, 80));
    t.regex(res.json.error, re);
  }
  const { model: _m, ...noModel } = event();
  const missing = await postIngest(app.url, alice, { events: [noModel] });
  t.is(missing.status, 400);
  t.regex(missing.json.error, /events\[0\]\.model: missing/);
});

test('a ts 23 h ahead and one on 2000-01-01 are accepted; cache_write_1h_tokens within cache_write_tokens is accepted', async (t) => {
  const res = await postIngest(app.url, alice, { events: [event({ ts: Date.now() + 23 * 3_600_000 }), event({ ts: Date.UTC(2000, 0, 1) }), event({ cache_write_tokens: 10, cache_write_1h_tokens: 10 })] });
  t.is(res.status, 200);
  t.deepEqual(res.json, { accepted: 3, duplicates: 0 });
});

test('an event over 2,000,000 tokens → 400 naming the event', async (t) => {
  const res = await postIngest(app.url, alice, { events: [event(), { ...event(), input_tokens: 1_000_000, output_tokens: 500_000, cache_read_tokens: 500_001 }] });
  t.is(res.status, 400);
  t.regex(res.json.error, /^events\[1\]/);
  const edge = await postIngest(app.url, alice, { events: [{ ...event(), input_tokens: 1_000_000, output_tokens: 1_000_000 }] });
  t.is(edge.status, 200);
});

test('a batch with one bad event stores nothing', async (t) => {
  await app.createUser('bob');
  const bob = await app.createToken('bob');
  const events = [event(), event(), { ...event(), cache_write_tokens: -3 }];
  const res = await postIngest(app.url, bob, { events });
  t.is(res.status, 400);
  const stats = await app.stats('bob');
  t.is(stats.events, 0);
  t.is(stats.total_tokens, 0);
});

test('ids dedupe across batches and within a batch', async (t) => {
  await app.createUser('dora');
  const dora = await app.createToken('dora');
  const a = event({ id: 'msg_1:req_1', input_tokens: 10, output_tokens: 1 });
  const b = event({ id: 'msg_2:req_2', input_tokens: 20, output_tokens: 2 });
  t.deepEqual((await postIngest(app.url, dora, { events: [a, b, a] })).json, { accepted: 2, duplicates: 1 });
  const c = event({ id: 'msg_3:req_3', input_tokens: 30, output_tokens: 3 });
  t.deepEqual((await postIngest(app.url, dora, { events: [b, c] })).json, { accepted: 1, duplicates: 1 });
  const stats = await app.stats('dora');
  t.is(stats.events, 3);
  t.is(stats.input_tokens, 10 + 20 + 30);
  t.is(stats.output_tokens, 1 + 2 + 3);
});

test('the same id from two users is two events', async (t) => {
  await app.createUser('eve');
  await app.createUser('finn');
  const eve = await app.createToken('eve');
  const finn = await app.createToken('finn');
  const ev = event({ id: 'shared-id-1' });
  t.is((await postIngest(app.url, eve, { events: [ev] })).json.accepted, 1);
  t.is((await postIngest(app.url, finn, { events: [ev] })).json.accepted, 1);
});

test('40 concurrent batches from several users are stored exactly once', async (t) => {
  const agents: Agent[] = [];
  for (const login of ['c1', 'c2', 'c3', 'c4']) {
    await app.createUser(login);
    agents.push(await app.createToken(login));
  }
  const batches = Array.from({ length: 40 }, (_, i) => ({
    agent: agents[i % 4],
    // Batches overlap by id: batch i repeats the last event of batch i-4 (same user).
    events: Array.from({ length: 25 }, (_, j) => event({ id: `b${Math.floor(i / 4)}-e${j}-u${i % 4}`, input_tokens: 1, output_tokens: 2 })),
  }));
  for (let i = 4; i < 40; i++) batches[i].events.push({ ...batches[i - 4].events[24] });
  const results = await Promise.all(batches.map((b) => postIngest(app.url, b.agent, { events: b.events })));
  t.true(results.every((r) => r.status === 200));
  const accepted = results.reduce((n, r) => n + r.json.accepted, 0);
  const dups = results.reduce((n, r) => n + r.json.duplicates, 0);
  t.is(accepted, 40 * 25);
  t.is(dups, 36);
  for (const login of ['c1', 'c2', 'c3', 'c4']) {
    const s = await app.stats(login);
    t.is(s.events, 10 * 25);
    t.is(s.input_tokens, 250);
    t.is(s.output_tokens, 500);
  }
});

test('logs never contain tokens, signatures or body text', async (t) => {
  const marker = 'MARKER-7f3a9c-private';
  await postIngest(app.url, alice, { events: [event({ model: marker })] });
  await postIngest(app.url, alice, JSON.stringify({ events: [{ ...event(), prompt: marker }] }));
  await postIngest(app.url, alice, `${marker} not json`);
  const logs = app.logs.join('');
  t.true(logs.includes('/api/ingest'), 'requests are logged');
  t.false(logs.includes(marker));
  t.false(logs.includes(alice.token));
  t.false(/x-ta-sig|[0-9a-f]{64}/.test(logs));
  t.false(logs.includes(sha256hex('{"events":[]}')));
});

test('every answer is JSON with an error, never a 500', async (t) => {
  const bodies = ['', 'null', '[]', '"x"', '{"events":null}', '{"events":[null]}', '\u0000\u0001', '{"events":[{"ts":1e400}]}'];
  for (const b of bodies) {
    const res = await postIngest(app.url, alice, b);
    t.true(res.status >= 400 && res.status < 500, `${JSON.stringify(b)} → ${res.status}`);
    t.is(typeof res.json.error, 'string');
  }
});

// The token's last use is written when it is due (the pages show it to the minute), not by
// every batch: an agent sends every few seconds, all to one row.
test('a token\'s last use is recorded by the first batch, then again once it is a minute old', async (t) => {
  await app.createUser('toucher');
  const agent = await app.createToken('toucher');
  const { db } = app.running.services;
  const lastUsed = async () => {
    const [r] = await db.sql.all<{ last_used_at: unknown }>('SELECT last_used_at FROM agent_tokens WHERE user_id = ?', [agent.user_id]);
    return r.last_used_at === null ? null : new Date(r.last_used_at as string).getTime();
  };
  t.is(await lastUsed(), null);
  const before = Date.now();
  t.is((await postIngest(app.url, agent, { events: [event()] })).status, 200);
  const first = await lastUsed();
  t.truthy(first);
  t.true(first! >= before - 1000 && first! <= Date.now() + 1000, 'the first batch records the use');
  // Moments later: not written again (set back to a known time within the minute to see it).
  const recent = new Date(Date.now() - 30_000);
  await db.sql.run('UPDATE agent_tokens SET last_used_at = ? WHERE user_id = ?', [recent, agent.user_id]);
  t.is((await postIngest(app.url, agent, { events: [event()] })).status, 200);
  t.is(await lastUsed(), recent.getTime());
  // A minute old: the next batch records it.
  await db.sql.run('UPDATE agent_tokens SET last_used_at = ? WHERE user_id = ?', [new Date(Date.now() - 61_000), agent.user_id]);
  const again = Date.now();
  t.is((await postIngest(app.url, agent, { events: [] })).status, 200);
  t.true((await lastUsed())! >= again - 1000);
});

// A session's main model is the one with the most tokens over all its batches (ties: the
// smaller name). One batch may carry many sessions (a first install's history): each gets its own.
test('each session of a batch gets its main model, and a later batch can change it', async (t) => {
  await app.createUser('sessioner');
  const agent = await app.createToken('sessioner');
  const { db } = app.running.services;
  const e = (session: string, model: string, input: number) => event({ session, model, input_tokens: input, output_tokens: 0, source: 'claude-code' });
  const first = [
    e('s-one', 'claude-opus-4-5', 500), e('s-one', 'claude-haiku-4-5', 100),
    e('s-two', 'claude-haiku-4-5', 900), e('s-two', 'claude-opus-4-5', 200),
    e('s-three', 'claude-sonnet-4-5', 300), e('s-three', 'claude-haiku-4-5', 300), // a tie
  ];
  t.is((await postIngest(app.url, agent, { events: first })).status, 200);
  const models = async () => Object.fromEntries((await db.sql.all<{ session_hash: string; model: string; model_tokens: number }>(
    'SELECT session_hash, model, model_tokens FROM sessions WHERE user_id = ? ORDER BY session_hash', [agent.user_id])).map((r) => [r.session_hash, [r.model, Number(r.model_tokens)]]));
  t.deepEqual(await models(), { 's-one': ['claude-opus-4-5', 500], 's-three': ['claude-haiku-4-5', 300], 's-two': ['claude-haiku-4-5', 900] });
  // s-one's haiku grows past its opus; s-two's opus grows but stays behind.
  t.is((await postIngest(app.url, agent, { events: [e('s-one', 'claude-haiku-4-5', 450), e('s-two', 'claude-opus-4-5', 600)] })).status, 200);
  t.deepEqual(await models(), { 's-one': ['claude-haiku-4-5', 550], 's-three': ['claude-haiku-4-5', 300], 's-two': ['claude-haiku-4-5', 900] });
});
