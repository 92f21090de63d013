// Cursor's Admin API against a loopback fake faithful to its documentation: members as
// seats, usage events paged by the server's own page size, a range split in 30-day chunks,
// 429s on the POST usage endpoint retried (with and without retry-after), people mapped by
// email ignoring case, an unknown email kept for the admin, exact totals in `stats`, the
// billed cents beside the estimate, re-import idempotent, a refused key from the CLI.
import test from 'ava';
import { withApp, postIngest, event, tempDir, type TestApp } from './helpers/app.ts';
import { fakeCursor, type CursorUsage, type FakeCursor } from './helpers/fake-vendors.ts';
import { addUser } from '../src/users/users.ts';
import { createJob, runJob } from '../src/imports/run.ts';
import { assignIdentity, unmappedUsage } from '../src/imports/mapping.ts';
import { userStats } from '../src/usage/stats.ts';
import { requireUser } from '../src/users/users.ts';
import { main } from '../src/cli.ts';
import { rows } from './helpers/db.ts';
import { cliEnv } from './helpers/engine.ts';

const admin = { userId: null, login: 'root' };
const KEY = 'crsr_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab';
const at = (m: number, d: number, h: number, min = 0) => String(Date.UTC(2026, m - 1, d, h, min));

const EVENTS: CursorUsage[] = [
  { timestamp: at(9, 10, 10), userEmail: 'Ana@ACME.dev', model: 'claude-4.5-sonnet', kind: 'Usage-based', maxMode: true, requestsCosts: 5, isTokenBasedCall: true, isChargeable: true, isHeadless: false,
    tokenUsage: { inputTokens: 126, outputTokens: 450, cacheWriteTokens: 6112, cacheReadTokens: 11964, totalCents: 20.18232 }, chargedCents: 21.36232, cursorTokenFee: 1.18, isFreeBugbot: false },
  { timestamp: at(9, 10, 11), userEmail: 'ana@acme.dev', model: 'claude-4-sonnet-thinking', kind: 'Included in Business', maxMode: true, requestsCosts: 1.4, isTokenBasedCall: false, isChargeable: false, isHeadless: false, chargedCents: 8, isFreeBugbot: false },
  { timestamp: at(9, 11, 9), userEmail: 'zed@acme.dev', model: 'default', kind: 'Usage-based', maxMode: false, isTokenBasedCall: true, tokenUsage: { inputTokens: 10, outputTokens: 5, cacheWriteTokens: 0, cacheReadTokens: 0, totalCents: 0.01 }, chargedCents: 0, conversationId: 'c-1' },
  { timestamp: at(10, 2, 9), userEmail: 'ana@acme.dev', model: 'gpt-5', kind: 'Included in Business', maxMode: false, isTokenBasedCall: true, tokenUsage: { inputTokens: 1000, outputTokens: 200, cacheWriteTokens: 0, cacheReadTokens: 3000, totalCents: 0.4 }, chargedCents: 1.5 },
  { timestamp: at(10, 2, 9, 30), userEmail: 'ana@acme.dev', model: 'gpt-5', kind: 'Errored, Not Charged', maxMode: false, isTokenBasedCall: true, tokenUsage: { inputTokens: 50, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, totalCents: 0 }, chargedCents: 0 },
];
const MEMBERS = [
  { id: 1, name: 'Ana', email: 'ana@acme.dev', role: 'owner', isRemoved: false },
  { id: 2, name: 'Bea', email: 'Bea@acme.dev', role: 'member', isRemoved: false },
  { id: 3, name: 'Zed', email: 'zed@acme.dev', role: 'member', isRemoved: false },
  { id: 4, name: 'Old', email: 'old@acme.dev', role: 'member', isRemoved: true },
];

let app: TestApp;
let fake: FakeCursor;
test.before(async () => {
  // Two pages in the first 30-day chunk at the server's page size of 2, one in the second;
  // the second chunk's first call is rate limited with retry-after, its retry without.
  fake = await fakeCursor({ key: KEY, members: MEMBERS, events: EVENTS, pageSize: 2, rateLimited: { 3: '1', 4: '' } });
  app = await withApp({ 'providers.cursor_api_url': fake.url, 'imports.sync_days': 0 });
  const { db } = app.running.services;
  await addUser(db, { login: 'ana', email: 'ana@acme.dev' }, admin);
  await addUser(db, { login: 'bea', email: 'bea@acme.dev' }, admin);
});
test.after.always(async () => {
  await app?.stop();
  await fake?.close();
});

test.serial('import: chunks, paging, 429s retried, mapped by email, exact totals, billed cents apart', async (t) => {
  const s = app.running.services;
  const job = await createJob(s, 'cursor', '2026-09-01', '2026-10-05', admin);
  const done = await runJob(s, job, { key: KEY });
  t.like(done, { status: 'done', pages: 3, events: 3, unmapped: 1 });

  // The requests: members, then the usage POSTs (every one with the key as Basic user name).
  t.true(fake.calls.every((c) => c.authorized));
  t.deepEqual(fake.calls.map((c) => `${c.method} ${c.path}`), ['GET /teams/members', ...Array(5).fill('POST /teams/filtered-usage-events')]);
  const bodies = fake.calls.filter((c) => c.method === 'POST').map((c) => c.body);
  t.deepEqual(bodies[0], { startDate: Date.UTC(2026, 8, 1), endDate: Date.UTC(2026, 9, 1) - 1, page: 1, pageSize: 1000 });
  t.like(bodies[1], { startDate: Date.UTC(2026, 8, 1), page: 2 });
  // The second chunk: asked three times (429 with retry-after, 429 without, then answered).
  for (const b of bodies.slice(2)) t.deepEqual(b, { startDate: Date.UTC(2026, 9, 1), endDate: Date.UTC(2026, 9, 6) - 1, page: 1, pageSize: 1000 });

  // ana: the Sonnet 4.5 request, the request-based one (no tokens), the GPT-5 one; the errored one is no event.
  const ana = await app.stats('ana');
  t.is(ana.events, 3);
  t.is(ana.input_tokens, 126 + 1000);
  t.is(ana.output_tokens, 450 + 200);
  t.is(ana.cache_read_tokens, 11964 + 3000);
  t.is(ana.cache_write_tokens, 6112);
  t.is(ana.total_tokens, 126 + 450 + 6112 + 11964 + 1000 + 200 + 3000);
  t.is(ana.active_days, 2);
  t.deepEqual(ana.models.map((m) => [m.provider, m.model, m.events]), [['cursor', 'claude-sonnet-4-5', 1], ['cursor', 'gpt-5', 1], ['cursor', 'claude-sonnet-4', 1]]);
  // Our estimate from the price table: Sonnet 4.5 $3 in, $15 out, $0.30 cache read, $3.75 cache write;
  // GPT-5 $1.25 in, $10 out, $0.125 cache read (per MTok). Cursor's charged cents are not in it.
  const sonnet = (126 * 3 + 450 * 15 + 11964 * 0.3 + 6112 * 3.75) / 1e6;
  const gpt = (1000 * 1.25 + 200 * 10 + 3000 * 0.125) / 1e6;
  t.is(ana.cost_usd, Math.round((sonnet + gpt) * 1e10) / 1e10);
  t.deepEqual(ana.unknown_models, []);
  const charged = await rows<{ day: string; cents: number; events: number }>(s.db, "SELECT day, cents, events FROM vendor_charges WHERE source = 'cursor-admin' ORDER BY day");
  t.deepEqual(charged.map((r) => ({ ...r })), [{ day: '2026-09-10', cents: 21.36232 + 8, events: 2 }, { day: '2026-10-02', cents: 1.5, events: 1 }]);

  // zed is not a person here: kept for the admin with the email as its label.
  t.deepEqual((await unmappedUsage(s.db)).map((u) => [u.provider, u.label, u.tokens, u.events]), [['cursor-admin', 'zed@acme.dev', 15, 1]]);
  // Seats: the members not removed, by email.
  t.deepEqual((await rows<{ seat_key: string }>(s.db, "SELECT seat_key FROM vendor_seats WHERE vendor = 'cursor-admin' ORDER BY seat_key")).map((r) => r.seat_key),
    ['ana@acme.dev', 'bea@acme.dev', 'zed@acme.dev']);

  // The profile shows what Cursor billed beside the estimate.
  const browser = await app.signIn('root', 'admin');
  const profile = await browser.get('/u/ana?window=all');
  t.regex(profile.text, /<span class="fine billed" data-billed="cursor-admin">Cursor billed <strong>\$0\.31<\/strong> for 3 requests/);
  t.regex(profile.text, /Estimated cost<\/span><span class="big"><span class="money">\$0\.04</);
});

test.serial('re-importing the same range changes nothing; assigning the unknown email moves its usage', async (t) => {
  const s = app.running.services;
  const before = await app.stats('ana');
  const job = await createJob(s, 'cursor', '2026-09-01', '2026-10-05', admin);
  const again = await runJob(s, job, { key: KEY });
  t.like(again, { status: 'done', events: 0, unmapped: 0 });
  t.deepEqual(await app.stats('ana'), before);
  const [sum] = await rows<{ cents: number }>(s.db, "SELECT SUM(cents) AS cents FROM vendor_charges WHERE source = 'cursor-admin'");
  t.is(Math.round(Number(sum.cents) * 1e6) / 1e6, Math.round((21.36232 + 8 + 1.5) * 1e6) / 1e6);

  await addUser(s.db, { login: 'zed' }, admin);
  t.is(await assignIdentity(s, 'email', 'ZED@acme.dev', 'zed', admin), 1);
  const zed = await app.stats('zed');
  t.is(zed.events, 1);
  t.is(zed.total_tokens, 15);
  t.deepEqual(zed.unknown_models, ['cursor-auto'], "Cursor's Auto reports no model: priced by nobody");
  t.is(zed.cost_usd, null);
  t.deepEqual(await unmappedUsage(s.db), []);
});

test.serial("Cursor days never replace the same person's Claude Code logs", async (t) => {
  const s = app.running.services;
  const tok = await app.createToken('ana');
  const r = await postIngest(app.url, tok, { events: [event({ ts: Date.UTC(2026, 8, 10, 15), model: 'claude-sonnet-4-5', input_tokens: 1000, output_tokens: 100, source: 'claude-code' })] });
  t.is(r.status, 200);
  const ana = await requireUser(s.db, 'ana');
  const reconciled = await userStats(s.db, ana, { reconciled: true });
  t.is(reconciled.total_tokens, 22852 + 1100, 'Cursor 22,852 tokens and Claude Code 1,100, both counted');
  t.is(reconciled.events, 3 + 1);
  const [day] = await rows<{ replaced_tokens: number; events: number }>(s.db, "SELECT replaced_tokens, events FROM user_days WHERE user_id = ? AND day = '2026-09-10'", [ana.id]);
  t.deepEqual({ ...day }, { replaced_tokens: 0, events: 3 });
});

test('CLI: tokenboard import cursor; a bad key is one clear line, exit 1, the key never printed', async (t) => {
  const dir = tempDir();
  const env = await cliEnv(dir, { TOKENBOARD_PROVIDERS_CURSOR_API_URL: fake.url, CURSOR_KEY: KEY, BAD_KEY: 'crsr_wrong0000000000000000000000000000000000' });
  const out: string[] = [];
  const err: string[] = [];
  t.is(await main(['import', 'cursor', '--from', '2026-10-01', '--to', '2026-10-03', '--key-env', 'CURSOR_KEY'], { out: (x) => out.push(x), err: (x) => err.push(x) }, env), 0, err.join('\n'));
  t.regex(out[0], /^imported 0 events from cursor in 1 pages; 1 unmapped/, 'nobody exists in this new database: the GPT-5 request waits');
  t.true(err.some((l) => /^import cursor: page 1/.test(l)));

  const bad: string[] = [];
  const code = await main(['import', 'cursor', '--from', '2026-10-01', '--to', '2026-10-03', '--key-env', 'BAD_KEY'], { out: (x) => bad.push(x), err: (x) => bad.push(x) }, env);
  t.is(code, 1);
  t.is(bad.length, 1);
  t.regex(bad[0], /^tokenboard: Cursor refused the Admin API key \(401: Invalid API key\); check it is a team Admin API key/);
  const printed = bad.join('\n');
  t.false(printed.includes('crsr_wrong'));
  t.false(printed.includes(Buffer.from('crsr_wrong0000000000000000000000000000000000:').toString('base64')));
  t.false(app.logs.join('\n').includes(KEY));
});
