// GitHub Copilot usage metrics against a loopback fake faithful to GitHub's documentation,
// laid out as GitHub Enterprise Server (github.api_url with /api/v3): seats paged by the
// Link header, per-day reports answered with signed download links to NDJSON on another
// host (which refuses an Authorization header: the token never goes there), an expired
// link asked for again, 204 for a day without a report, the primary rate limit as a 403,
// people mapped by GitHub account only (never a local account that shares the login),
// activity without tokens as messages and active days, tokens only from the CLI totals.
import test from 'ava';
import { withApp, postIngest, event, type TestApp } from './helpers/app.ts';
import { fakeCopilot, type FakeCopilot } from './helpers/fake-vendors.ts';
import { addUser } from '../src/users/users.ts';
import { createJob, runJob, getJob } from '../src/imports/run.ts';
import { assignIdentity, unmappedUsage } from '../src/imports/mapping.ts';
import { rows, updateUser } from './helpers/db.ts';

const admin = { userId: null, login: 'root' };
const TOKEN = 'github_pat_11AAAAAAA0copilotmetrics0123456789abcdefghijklmnopqrstuvwxyz';
const D1 = '2026-11-20';
const D2 = '2026-11-21';
const D3 = '2026-11-22';

const line = (r: Record<string, unknown>) => JSON.stringify({ organization_id: '42', etl_id: 'green', day_partition: r.day, ...r });
const octocatD1 = line({
  user_id: 1, user_login: 'OctoCat', day: D1, user_initiated_interaction_count: 4, code_generation_activity_count: 12, code_acceptance_activity_count: 5,
  loc_suggested_to_add_sum: 40, loc_suggested_to_delete_sum: 0, loc_added_sum: 30, loc_deleted_sum: 2,
  totals_by_ide: [{ ide: 'vscode', code_generation_activity_count: 12, last_known_ide_version: { ide_version: '1.105.0', sampled_at: `${D1}T10:00:00.000Z` } }],
  totals_by_feature: [{ feature: 'code_completion', code_generation_activity_count: 10, code_acceptance_activity_count: 4 }, { feature: 'chat_panel_agent_mode', user_initiated_interaction_count: 4, code_generation_activity_count: 2 }],
  totals_by_language_feature: [], totals_by_language_model: [], totals_by_model_feature: [{ model: 'claude-sonnet-4.5', feature: 'chat_panel_agent_mode', code_generation_activity_count: 2 }],
  totals_by_cli: { session_count: 1, request_count: 3, prompt_count: 2, token_usage: { avg_tokens_per_request: 2933.33, output_tokens_sum: 5000, prompt_tokens_sum: 3800 }, last_known_cli_version: { cli_version: '1.0.8', sampled_at: `${D1}T11:00:00.000Z` } },
  used_agent: true, used_chat: false, used_cli: true, ai_credits_used: 12.5,
});
const octocatD2 = line({ user_id: 1, user_login: 'octocat', day: D2, user_initiated_interaction_count: 1, code_generation_activity_count: 8, code_acceptance_activity_count: 3,
  loc_added_sum: 10, loc_deleted_sum: 0, totals_by_ide: [{ ide: 'jetbrains' }], totals_by_feature: [{ feature: 'chat_panel_ask_mode', user_initiated_interaction_count: 1, code_generation_activity_count: 8 }], used_chat: true });
const monalisa = line({ user_id: 3, user_login: 'monalisa', day: D1, code_generation_activity_count: 7, code_acceptance_activity_count: 1, totals_by_ide: [{ ide: 'vscode' }] });
// A local account here has this login, but was never linked to a GitHub account.
const mallory = line({ user_id: 4, user_login: 'mallory', day: D1, code_generation_activity_count: 2 });
// Seen only by server-side telemetry: active, every count 0.
const quiet = line({ user_id: 7, user_login: 'quiet', day: D1, code_generation_activity_count: 0, totals_by_ide: [], totals_by_feature: [] });

const seat = (login: string, id: number, last: string | null, type = 'User') => ({
  created_at: '2026-06-01T09:00:00Z', updated_at: '2026-06-01T09:00:00Z', pending_cancellation_date: null,
  last_activity_at: last, last_activity_editor: last ? 'vscode/1.105.0/copilot-chat/0.32.0' : null, last_authenticated_at: last, plan_type: 'business',
  assignee: type === 'User' ? { login, id, type, site_admin: false } : { name: login, slug: login, id, type },
  assigning_team: null,
});

let app: TestApp;
let fake: FakeCopilot;
test.before(async () => {
  fake = await fakeCopilot({
    token: TOKEN, org: 'acme', prefix: '/api/v3', maxPerPage: 2,
    seats: [seat('octocat', 1, `${D2}T16:00:00Z`), seat('hubot', 2, null), seat('monalisa', 3, `${D1}T09:00:00Z`), seat('mallory', 4, `${D1}T09:30:00Z`), seat('justice-league', 99, null, 'Team')],
    reports: { [D1]: [[octocatD1, 'not json at all'], [monalisa, mallory, quiet]], [D2]: [[octocatD2]] },
    rateLimited: [3],
    expireOnce: [`/copilot-reports/${D1}/part-1.ndjson`],
  });
  app = await withApp({ 'github.api_url': fake.apiUrl, 'github.org': 'acme', 'imports.sync_days': 0 });
  const { db } = app.running.services;
  await addUser(db, { login: 'octocat' }, admin);
  await updateUser(db, 'octocat', { github_id: 1 });
  // Added with --github: linked by login at the first sign-in, which has not happened yet.
  await addUser(db, { login: 'hubot', github: true }, admin);
  await addUser(db, { login: 'mallory' }, admin);
  await addUser(db, { login: 'quiet' }, admin);
  await updateUser(db, 'quiet', { github_id: 7 });
});
test.after.always(async () => {
  await app?.stop();
  await fake?.close();
});

test.serial('import: seats, reports through signed links without the token, per-person days, exact totals', async (t) => {
  const s = app.running.services;
  const job = await createJob(s, 'copilot', D1, D3, admin);
  const done = await runJob(s, job, { key: TOKEN });
  // One page per day; octocat's 2 + 1 events stored; monalisa's and mallory's wait.
  t.like(done, { status: 'done', pages: 3, events: 3, unmapped: 2 });

  // Every API call: the Enterprise Server path, the Bearer token, the API version.
  t.true(fake.apiCalls.every((c) => c.path.startsWith('/api/v3/orgs/acme/copilot/') && c.authorization === `Bearer ${TOKEN}`));
  t.deepEqual(fake.apiCalls.filter((c) => c.path.endsWith('/billing/seats')).map((c) => c.query.get('page')), ['1', '2', '3'], 'seats followed the Link header');
  // D1, D1 again (a link had expired), D2 (rate limited), D2 again, D3 (204).
  t.deepEqual(fake.apiCalls.filter((c) => c.path.endsWith('/users-1-day')).map((c) => c.query.get('day')), [D1, D1, D2, D2, D3]);
  t.true(fake.downloads.length >= 4);
  t.true(fake.downloads.every((d) => d.authorization === undefined), 'the GitHub token never goes to the download host');

  // octocat: day 1 = 12 code generations + 3 CLI requests (3,800 prompt + 5,000 output
  // tokens); day 2 = 8 code generations. IDE activity has no tokens and gets none.
  const o = await app.stats('octocat');
  t.is(o.events, 12 + 3 + 8);
  t.is(o.input_tokens, 3800);
  t.is(o.output_tokens, 5000);
  t.is(o.cache_read_tokens + o.cache_write_tokens, 0);
  t.is(o.total_tokens, 8800);
  t.is(o.active_days, 2);
  t.deepEqual(o.models.map((m) => [m.provider, m.model, m.events, m.input_tokens + m.output_tokens]), [['github-copilot', 'copilot-cli', 3, 8800], ['github-copilot', 'copilot', 20, 0]]);
  t.deepEqual(o.unknown_models, ['copilot-cli'], 'the CLI totals name no model: their cost is unknown, never 0');
  t.is(o.cost_usd, null);
  // quiet: active for GitHub, every count 0: a day of activity, no message, no tokens.
  t.is((await app.stats('quiet')).events, 0);
  t.deepEqual(await rows(s.db, "SELECT day, code_generations FROM vendor_activity WHERE label = 'quiet'"), [{ day: D1, code_generations: 0 }]);
  // mallory's local account merely shares the login: not that GitHub user.
  t.is((await app.stats('mallory')).events, 0);
  t.deepEqual((await unmappedUsage(s.db)).map((u) => [u.provider, u.label, u.events]).sort(), [['github-copilot', 'mallory', 1], ['github-copilot', 'monalisa', 1]]);

  // Seats: the four users (a team as assignee is not a person).
  t.deepEqual((await rows<{ seat_key: string; last_activity_at: number | null }>(s.db, "SELECT seat_key, last_activity_at FROM vendor_seats WHERE vendor = 'github-copilot' ORDER BY seat_key"))
    .map((r) => [r.seat_key, r.last_activity_at === null ? null : Number(r.last_activity_at)]),
  [['hubot', null], ['mallory', Date.parse(`${D1}T09:30:00Z`)], ['monalisa', Date.parse(`${D1}T09:00:00Z`)], ['octocat', Date.parse(`${D2}T16:00:00Z`)]]);

  // The profile: Copilot's own counts for the window, beside the usual totals.
  const browser = await app.signIn('root', 'admin');
  const page = (await browser.get('/u/octocat?window=all')).text;
  const stat = (name: string) => new RegExp(`data-activity="github-copilot">[\\s\\S]*?data-stat="${name}">([^<]*)<`).exec(page)?.[1];
  t.is(stat('days'), '2');
  t.is(stat('interactions'), String(4 + 1));
  t.is(stat('code_generations'), String(12 + 8));
  t.is(stat('code_acceptances'), String(5 + 3) + ' ');
  t.regex(page, /data-stat="code_acceptances">8 <span class="muted small">\(40%\)<\/span>/, '8 of 20 generations accepted');
  t.is(stat('lines'), `+${30 + 10} −2`);
  t.regex(page, /data-stat="cli_requests">3 <span class="muted small">\(8\.8K tokens\)/);
  t.regex(page, /Features:<\/span> <span class="pill">agent<\/span> <span class="pill">agent mode<\/span> <span class="pill">chat<\/span> <span class="pill">chat \(ask\)<\/span> <span class="pill">CLI<\/span> <span class="pill">completions<\/span> <\/p>/);
  t.regex(page, /IDEs:<\/span> <code>jetbrains<\/code>, <code>vscode<\/code>/);
});

test.serial('re-import changes nothing; assigning a GitHub login moves its usage and its activity', async (t) => {
  const s = app.running.services;
  const before = await app.stats('octocat');
  const again = await runJob(s, await createJob(s, 'copilot', D1, D3, admin), { key: TOKEN });
  t.like(again, { status: 'done', events: 0, unmapped: 0 });
  t.deepEqual(await app.stats('octocat'), before);
  t.is((await rows(s.db, "SELECT * FROM vendor_activity WHERE label IN ('OctoCat', 'octocat')")).length, 2, 'one activity row per person-day');

  await addUser(s.db, { login: 'mona' }, admin);
  t.is(await assignIdentity(s, 'github_login', 'MonaLisa', 'mona', admin), 1);
  t.is((await app.stats('mona')).events, 7);
  const [act] = await rows<{ user_id: number }>(s.db, "SELECT user_id FROM vendor_activity WHERE label = 'monalisa'");
  t.is(Number(act.user_id), (await rows<{ id: number }>(s.db, "SELECT id FROM users WHERE login = 'mona'"))[0].id);
});

test.serial("Copilot's report wins over the Copilot CLI's own export of the same day, and only over it", async (t) => {
  const s = app.running.services;
  const tok = await app.createToken('octocat');
  const noon = Date.parse(`${D1}T12:00:00Z`);
  const r = await postIngest(app.url, tok, { events: [
    event({ ts: noon, provider: 'anthropic', model: 'claude-sonnet-4.5', input_tokens: 4000, output_tokens: 1000, source: 'copilot-cli' }),
    event({ ts: noon + 1000, provider: 'anthropic', model: 'claude-sonnet-4.5', input_tokens: 0, output_tokens: 0, source: 'copilot-cli' }),
    event({ ts: noon + 2000, provider: 'anthropic', model: 'claude-sonnet-4-5', input_tokens: 300, output_tokens: 0, source: 'claude-code' }),
  ] });
  t.is(r.status, 200);
  const id = (await rows<{ id: number }>(s.db, "SELECT id FROM users WHERE login = 'octocat'"))[0].id;
  const [d1] = await rows<{ input_tokens: number; output_tokens: number; events: number; replaced_tokens: number }>(s.db,
    'SELECT input_tokens, output_tokens, events, replaced_tokens FROM user_days WHERE user_id = ? AND day = ?', [id, D1]);
  // GitHub's CLI totals (3,800 + 5,000) replace the export's 5,000 tokens; Claude Code's 300
  // stay (another tool). Messages: 12 IDE generations + the export's 2 + Claude Code's 1 (the
  // report's 3 CLI requests are the export's own, counted by it).
  t.deepEqual({ ...d1 }, { input_tokens: 3800 + 300, output_tokens: 5000, events: 12 + 2 + 1, replaced_tokens: 5000 });
});

test('a refused token is one clear error on the job, and the token is never in it', async (t) => {
  const s = app.running.services;
  const job = await createJob(s, 'copilot', D1, D1, admin);
  const err = await t.throwsAsync(runJob(s, job, { key: 'ghp_wrongwrongwrongwrongwrongwrongwrong00' }));
  t.regex(err!.message, /^GitHub refused the token \(401: Bad credentials\); it needs read:org/);
  t.false(err!.message.includes('ghp_'));
  t.like(await getJob(s, job), { status: 'failed' });
  t.false(app.logs.join('\n').includes(TOKEN));
});

test('without github.org there is nothing to import, and the error says which key to set', async (t) => {
  const other = await withApp({ 'github.api_url': fake.apiUrl, 'imports.sync_days': 0 });
  t.teardown(() => other.stop());
  await t.throwsAsync(createJob(other.running.services, 'copilot', D1, D1, admin), { message: /^github\.org: set it to the organization/ });
});

test('a token that may read the metrics but not the seats still imports the usage, and says so', async (t) => {
  const limited = await fakeCopilot({ token: TOKEN, org: 'acme', seats: [], seatsForbidden: true, reports: { [D2]: [[octocatD2]] } });
  t.teardown(() => limited.close());
  const own = await withApp({ 'github.api_url': limited.apiUrl, 'github.org': 'acme', 'imports.sync_days': 0 });
  t.teardown(() => own.stop());
  const s = own.running.services;
  await addUser(s.db, { login: 'octocat' }, admin);
  await updateUser(s.db, 'octocat', { github_id: 1 });
  const done = await runJob(s, await createJob(s, 'copilot', D2, D2, admin), { key: TOKEN });
  t.like(done, { status: 'done', events: 1 });
  t.is((await own.stats('octocat')).events, 8);
  t.true(own.logs.some((l) => l.includes('GitHub answered 403 for the Copilot seats') && l.includes('seats were not updated')));
  t.deepEqual(await rows(s.db, 'SELECT * FROM vendor_seats'), []);
});
