// Adoption figures against seeded data with hand-computed answers.
import test from 'ava';
import { withApp, postIngest, event, type TestApp } from './helpers/app.ts';
import { teamView } from '../src/usage/team.ts';
import { csvCell, teamCsv } from '../src/usage/team-csv.ts';
import { priceTable } from '../src/pricing/store.ts';
import type { DayRange } from '../src/usage/window.ts';
import { updateUser } from './helpers/db.ts';

const at = (day: number, hour = 12) => Date.UTC(2026, 9, day, hour);
// 2026-10-14 is a Wednesday; the 7-day window is 10-08..10-14, the one before 10-01..10-07.
const week: DayRange = { window: '7d', from: '2026-10-08', to: '2026-10-14', days: 7 };
const all: DayRange = { window: 'all', from: null, to: '2026-10-14', days: null };

let app: TestApp;
test.before(async () => {
  app = await withApp();
  const { db } = app.running.services;
  const people: [string, string[], string | null][] = [
    ['ana', ['core', 'web'], '=SUM(A1:A2), "x"'], ['ben', ['core'], 'Ben'], ['cy', ['web'], null], ['dee', ['core'], 'Dee'], ['eli', [], null], ['fay', ['web'], null],
  ];
  for (const [login, teams, name] of people) {
    await app.createUser(login);
    await updateUser(db, login, { teams: teams, name });
  }
  await updateUser(db, 'dee', { last_seen_at: new Date() });
  const tok = async (login: string) => app.createToken(login);
  const [ana, ben, cy, eli, fay] = [await tok('ana'), await tok('ben'), await tok('cy'), await tok('eli'), await tok('fay')];
  await postIngest(app.url, ana, { events: [
    event({ ts: at(9), model: 'claude-haiku-4-5', input_tokens: 100, output_tokens: 0, source: 'claude-code' }),
    event({ ts: at(13), provider: 'acme', model: 'acme-x', input_tokens: 50, output_tokens: 50, source: 'proxy' }),
  ] });
  await postIngest(app.url, cy, { events: [
    event({ ts: at(5), model: 'claude-haiku-4-5', input_tokens: 1000, output_tokens: 0, source: 'claude-code' }),
    event({ ts: at(14), provider: 'openai', model: 'gpt-5', input_tokens: 200, output_tokens: 100, source: 'proxy' }),
  ] });
  await postIngest(app.url, ben, { events: [event({ ts: at(2), model: 'claude-haiku-4-5', input_tokens: 10, output_tokens: 0 })] });
  await postIngest(app.url, eli, { events: [] });
  await postIngest(app.url, fay, { events: [event({ ts: at(10), input_tokens: 5, output_tokens: 5 })] });
  await updateUser(db, 'fay', { active: false });
});
test.after.always(async () => { await app?.stop(); });

test('adoption in a 7-day window: members, active, new, lapsed, never active, quiet agents', async (t) => {
  const { db } = app.running.services;
  const v = await teamView(db, await priceTable(db), { range: week });
  t.is(v.members, 5, 'fay is deactivated');
  t.is(v.active, 2);
  t.is(v.adoption_pct, 40);
  t.deepEqual(v.new_adopters, ['ana']);
  t.deepEqual(v.lapsed, ['ben']);
  t.deepEqual(v.never_active, ['dee']);
  t.deepEqual(v.quiet_agents, ['ben', 'eli']);
  // ana 200 tokens, cy 300.
  t.deepEqual(v.tokens_per_active_user, { median: 200, p90: 300 });
  t.is(v.local_tokens, 0);
  t.is(v.cloud_tokens, 500);
  // haiku 100 in at $1/M + gpt-5 200 in at $1.25/M + 100 out at $10/M; acme-x unpriced.
  t.is(v.cost_usd, 0.00135);
  t.true(v.cost_partial);
  t.deepEqual(v.unpriced_models, ['acme-x']);
});

test('weekly active users for 12 weeks, Monday weeks', async (t) => {
  const { db } = app.running.services;
  const v = await teamView(db, await priceTable(db), { range: week });
  t.is(v.weekly.length, 12);
  t.is(v.weekly[11].week, '2026-10-12');
  t.is(v.weekly[0].week, '2026-07-27');
  const byWeek = Object.fromEntries(v.weekly.map((w) => [w.week, w.active]));
  t.is(byWeek['2026-10-12'], 2, 'ana 10-13, cy 10-14');
  t.is(byWeek['2026-10-05'], 2, 'ana 10-09, cy 10-05');
  t.is(byWeek['2026-09-28'], 1, 'ben 10-02');
  t.is(v.weekly.reduce((n, w) => n + w.active, 0), 5);
});

test('per team: members, active, tokens, cost, top models, measured share', async (t) => {
  const { db } = app.running.services;
  const v = await teamView(db, await priceTable(db), { range: week });
  t.deepEqual(v.teams.map((x) => x.team), ['core', 'web']);
  t.deepEqual(v.teams[0], { team: 'core', members: 3, active: 1, adoption_pct: 33.3, tokens: 200, cost_usd: 0.0001, cost_partial: true, top_models: ['acme-x', 'claude-haiku-4-5'], measured_share: 0.5, replaced_tokens: 0 });
  t.deepEqual(v.teams[1], { team: 'web', members: 2, active: 2, adoption_pct: 100, tokens: 500, cost_usd: 0.00135, cost_partial: true, top_models: ['gpt-5', 'acme-x', 'claude-haiku-4-5'], measured_share: 0.8, replaced_tokens: 0 });
  t.deepEqual(v.models.map((m) => [m.model, m.tokens, m.share]), [['gpt-5', 300, 0.6], ['acme-x', 100, 0.2], ['claude-haiku-4-5', 100, 0.2]]);
  t.deepEqual(v.providers, [{ provider: 'openai', tokens: 300, share: 0.6 }, { provider: 'acme', tokens: 100, share: 0.2 }, { provider: 'anthropic', tokens: 100, share: 0.2 }]);
});

test('team filter and the all-time window', async (t) => {
  const { db } = app.running.services;
  const core = await teamView(db, await priceTable(db), { range: week, team: 'core' });
  t.is(core.members, 3);
  t.is(core.active, 1);
  t.deepEqual(core.lapsed, ['ben']);
  const ever = await teamView(db, await priceTable(db), { range: all });
  t.is(ever.active, 3);
  t.deepEqual(ever.new_adopters, ['ana', 'ben', 'cy']);
  t.deepEqual(ever.lapsed, []);
  t.is(ever.cloud_tokens, 200 + 1300 + 10, 'fay is not a member any more');
});

test('CSV: one row per member, tokens by kind, formula injection neutralised', async (t) => {
  const { db } = app.running.services;
  const csv = await teamCsv(db, { range: week });
  const lines = csv.trimEnd().split('\r\n');
  const quoted = (cells: string) => cells.split(',').map((c) => `"${c}"`).join(',');
  t.is(lines[0], quoted('login,name,teams,active_days,sessions,messages,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,total_tokens,estimated_cost_usd,cost_partial,last_active'));
  t.is(lines.length, 6);
  // Every cell quoted; a formula-like name gets a leading ' and its inner quotes doubled.
  t.is(lines[1], `"ana","'=SUM(A1:A2), ""x""",${quoted('core web,2,0,2,150,50,0,0,200,0.00,yes,2026-10-13')}`);
  t.is(lines[2], quoted('ben,Ben,core,0,0,0,0,0,0,0,0,0.00,no,2026-10-02'));
  t.is(lines[3], quoted('cy,,web,1,0,1,200,100,0,0,300,0.00,no,2026-10-14'));
});

test('CSV cells per OWASP: all quoted, so a separator inside a name cannot start a formula cell in a ; locale', (t) => {
  t.is(csvCell('Frank;=HYPERLINK("http://evil")'), '"Frank;=HYPERLINK(""http://evil"")"');
  t.is(csvCell('=1+1'), `"'=1+1"`);
  t.is(csvCell('+cmd'), `"'+cmd"`);
  t.is(csvCell('-2'), `"'-2"`, 'a text cell starting with - is neutralised');
  t.is(csvCell(-2), '"-2"', 'a number is left a number');
  t.is(csvCell('@SUM(1)'), `"'@SUM(1)"`);
  t.is(csvCell('\tx'), `"'\tx"`);
  t.is(csvCell('\nx'), `"'\nx"`);
  t.is(csvCell(null), '""');
  t.is(csvCell('plain'), '"plain"');
});
