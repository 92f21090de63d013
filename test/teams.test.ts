// Local teams (issue "A person's first hour", item 2): made from the CLI or the admin panel,
// beside GitHub-synced teams that are shown but never edited by hand; a person's teams are
// the union of both, everywhere a team counts: the leaderboard filter, /team, the CSV,
// /api/v1/team and team budgets. Both engines.
import test from 'ava';
import { main } from '../src/cli.ts';
import { withApp, postIngest, event, type Browser, type TestApp } from './helpers/app.ts';
import { cliEnv } from './helpers/engine.ts';
import { rows, updateUser } from './helpers/db.ts';

let app: TestApp;
let root: Browser;
let boss: Browser;
test.before(async () => {
  app = await withApp();
  const { db } = app.running.services;
  for (const login of ['ana', 'ben', 'cy', 'dot']) await app.createUser(login);
  // cy is in the GitHub team "web", as a GitHub sign-in would have synced it.
  await updateUser(db, 'cy', { teams: ['web'] });
  root = await app.signIn('root', 'admin');
  boss = await app.signIn('boss', 'manager');
});
test.after.always(async () => { await app?.stop(); });

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, await cliEnv(app.dataDir));
  return { code, out, err };
}

test.serial('CLI: add a team and its members; list shows local and GitHub teams apart', async (t) => {
  const added = await cli('team', 'add', 'Platform', '--name', 'Platform crew');
  t.is(added.code, 0, added.err.join('\n'));
  t.deepEqual(JSON.parse(added.out[0]), { slug: 'platform', name: 'Platform crew', source: 'local', members: [] });
  t.deepEqual((await cli('team', 'member', 'add', 'platform', 'ana')).out, ['added ana to team platform']);
  t.deepEqual((await cli('team', 'member', 'add', 'platform', 'BEN')).out, ['added ben to team platform']);
  t.deepEqual((await cli('team', 'member', 'add', 'platform', 'cy')).out, ['added cy to team platform']);
  t.deepEqual((await cli('team', 'member', 'add', 'platform', 'ana')).out, ['ana was already in team platform']);
  const list = await cli('team', 'list', '--json');
  t.deepEqual(JSON.parse(list.out[0]), [
    { slug: 'platform', name: 'Platform crew', source: 'local', members: ['ana', 'ben', 'cy'] },
    { slug: 'web', name: null, source: 'github', members: ['cy'] },
  ]);
  const text = await cli('team', 'list');
  t.deepEqual(text.out, ['slug\tsource\tmembers\tname', 'platform\tlocal\t3 (ana, ben, cy)\tPlatform crew', 'web\tgithub\t1 (cy)\t']);
  t.deepEqual((await rows(app.running.services.db, 'SELECT kind, target, details FROM audit_log WHERE kind LIKE ? ORDER BY id', ['team.%'])).map((r) => [r.kind, r.target, JSON.parse(String(r.details))]), [
    ['team.add', 'platform', { name: 'Platform crew' }],
    ['team.member_add', 'platform', { login: 'ana' }],
    ['team.member_add', 'platform', { login: 'ben' }],
    ['team.member_add', 'platform', { login: 'cy' }],
  ], 'the repeated add changed nothing and is not audited');
});

test.serial('CLI refusals: one clear line, a non-zero exit, nothing changed', async (t) => {
  const before = await rows(app.running.services.db, 'SELECT team_id, user_id FROM team_members ORDER BY team_id, user_id');
  const fails = async (re: RegExp, ...argv: string[]) => {
    const r = await cli(...argv);
    t.not(r.code, 0, argv.join(' '));
    t.deepEqual(r.out, [], argv.join(' '));
    t.is(r.err.length, 1, argv.join(' '));
    t.regex(r.err[0], re, argv.join(' '));
  };
  await fails(/slug: "bad slug" is not a team slug/, 'team', 'add', 'bad slug');
  await fails(/slug: "x-" is not a team slug/, 'team', 'add', 'x-');
  await fails(/slug: a team "platform" already exists/, 'team', 'add', 'platform');
  await fails(/slug: "web" is a GitHub team, synced at sign-in/, 'team', 'add', 'WEB');
  await fails(/name: at most 200 printable characters/, 'team', 'add', 'zw', '--name', 'a\u200bb');
  await fails(/team: "web" is a GitHub team, synced at sign-in; change its members on GitHub/, 'team', 'member', 'add', 'web', 'ana');
  await fails(/team: "web" is a GitHub team/, 'team', 'member', 'remove', 'web', 'cy');
  await fails(/team: there is no team "ghosts"/, 'team', 'member', 'add', 'ghosts', 'ana');
  await fails(/login: nobody has the login "zed"/, 'team', 'member', 'add', 'platform', 'zed');
  await fails(/missing argument/, 'team', 'member', 'add', 'platform');
  await fails(/unknown command "team member move"/, 'team', 'member', 'move', 'platform', 'ana');
  await fails(/unknown command "team rename"/, 'team', 'rename', 'platform');
  t.deepEqual(await rows(app.running.services.db, 'SELECT team_id, user_id FROM team_members ORDER BY team_id, user_id'), before);
  t.deepEqual((await rows(app.running.services.db, 'SELECT slug FROM teams ORDER BY slug')).map((r) => r.slug), ['platform']);
});

test.serial('a local team counts everywhere a GitHub team does', async (t) => {
  const [ana, ben, cy, dot] = [await app.createToken('ana'), await app.createToken('ben'), await app.createToken('cy'), await app.createToken('dot')];
  for (const [agent, input, output] of [[ana, 100, 50], [ben, 200, 0], [cy, 40, 0], [dot, 7, 0]] as const) {
    t.is((await postIngest(app.url, agent, { events: [event({ input_tokens: input, output_tokens: output })] })).status, 200);
  }
  // The leaderboard's team filter: platform is ana (150), ben (200) and cy (40); dot is in no team.
  const board = (await root.get('/api/v1/leaderboard?window=all&team=platform', { accept: 'application/json' })).json();
  t.deepEqual(board.rows.map((r: any) => [r.login, r.tokens]), [['ben', 200], ['ana', 150], ['cy', 40]]);
  // The filter's menu offers both kinds.
  const menu = (await root.get('/?window=all')).text;
  t.regex(menu, /<option value="platform"[^>]*>platform<\/option>/);
  t.regex(menu, /<option value="web"[^>]*>web<\/option>/);

  // /team: 3 members, all active; the per-team table has both teams.
  const page = await boss.get('/team?window=all&team=platform');
  t.is(page.status, 200);
  t.regex(page.text, /data-stat="members"[^>]*>3</);
  t.regex(page.text, /data-stat="active"[^>]*>3</);
  const all = await boss.get('/team?window=all');
  t.regex(all.text, /data-team="platform">.*?<td class="num">3<\/td><td class="num">3<\/td><td class="num">100%<\/td>/s);
  t.regex(all.text, /data-team="web">.*?<td class="num">1<\/td><td class="num">1<\/td><td class="num">100%<\/td>/s);

  // The CSV: each person's teams, local and GitHub together.
  const csv = (await boss.get('/team.csv?window=all')).text.trimEnd().split('\r\n');
  const teamsOf = (login: string) => csv.find((l) => l.startsWith(`"${login}",`))!.split(',')[2];
  t.is(teamsOf('ana'), '"platform"');
  t.is(teamsOf('cy'), '"platform web"');
  t.is(teamsOf('dot'), '""');
  t.is((await boss.get('/team.csv?window=all&team=platform')).text.trimEnd().split('\r\n').length, 4, 'a header and 3 people');

  // /api/v1/team for a manager's agent token.
  const bossToken = await app.createToken('boss');
  const api = await fetch(`${app.url}/api/v1/team?window=all&team=platform`, { headers: { authorization: `Bearer ${bossToken.token}` } });
  t.is(api.status, 200);
  t.like(await api.json(), { members: 3, active: 3 });

  // A team budget: 150 + 200 + 40 = 390 of 1000 tokens.
  const set = await cli('budget', 'set', '--team', 'platform', '--period', 'month', '--limit-tokens', '1000');
  t.is(set.code, 0, set.err.join('\n'));
  const budgets = JSON.parse((await cli('budget', 'list', '--json')).out[0]);
  t.like(budgets[0], { scope: 'team', subject: 'platform', tokens: 390, percent: 39 });
  // ana sees it on her own settings page.
  t.regex((await (await app.signIn('ana')).get('/settings')).text, /team platform/);

  // A team with a budget cannot go (the budget would count nobody); without it, it can.
  const refused = await cli('team', 'remove', 'platform');
  t.regex(refused.err[0], /team: "platform" has a budget \(#\d+\); remove it first/);
  t.is((await cli('budget', 'remove', String(budgets[0].id))).code, 0);
  t.deepEqual((await cli('team', 'member', 'remove', 'platform', 'ben')).out, ['removed ben from team platform']);
  t.deepEqual((await cli('team', 'member', 'remove', 'platform', 'ben')).out, ['ben was not in team platform']);
  const after = (await root.get('/api/v1/leaderboard?window=all&team=platform', { accept: 'application/json' })).json();
  t.deepEqual(after.rows.map((r: any) => r.login), ['ana', 'cy'], 'the change shows at once');
  t.deepEqual((await cli('team', 'remove', 'platform')).out, ['removed team platform (2 members; their accounts and usage stay)']);
  t.deepEqual(JSON.parse((await cli('team', 'list', '--json')).out[0]), [{ slug: 'web', name: null, source: 'github', members: ['cy'] }]);
  t.is((await app.stats('ana')).total_tokens, 150, 'usage stays');
});

test.serial('/admin/teams: add a team, add and remove members, delete; refusals on their row', async (t) => {
  const empty = await root.get('/admin/teams');
  t.is(empty.status, 200);
  t.regex(empty.text, /aria-current="page">Teams</);
  // The GitHub team is listed, read-only: no forms on its row.
  const webRow = /<tr id="team-web"[\s\S]*?<\/tr>/.exec(empty.text)?.[0] ?? '';
  t.regex(webRow, /<span class="pill">GitHub<\/span>/);
  t.regex(webRow, /synced at sign-in; change it on GitHub/);
  t.false(webRow.includes('<form'));

  const made = await root.post('/admin/teams', { slug: 'data-eng', name: 'Data <eng>' });
  t.is(made.status, 303);
  t.is(made.location, '/admin/teams?done=added#team-data-eng');
  const shown = await root.get(made.location!);
  t.regex(shown.text, /role="status">Team added\./);
  t.true(shown.text.includes('Data &lt;eng&gt;'), 'escaped');
  t.regex(shown.text, /<tr id="team-data-eng"[\s\S]*?<span class="pill">Local<\/span>/);

  const bad = await root.post('/admin/teams', { slug: 'Data Eng!', name: 'x' });
  t.is(bad.status, 400);
  t.regex(bad.text, /id="add-error" role="alert">slug: &quot;Data Eng!&quot; is not a team slug/);
  t.regex(bad.text, /name="slug" value="Data Eng!"[^>]*aria-invalid="true"/);
  const twice = await root.post('/admin/teams', { slug: 'data-eng', name: '' });
  t.is(twice.status, 409);
  t.regex(twice.text, /slug: a team &quot;data-eng&quot; already exists/);
  t.is((await root.post('/admin/teams', { slug: 'web', name: '' })).status, 409);

  const member = await root.post('/admin/teams/data-eng/members', { login: 'dot' });
  t.is(member.status, 303);
  t.is(member.location, '/admin/teams?done=member#team-data-eng');
  t.regex((await root.get('/admin/teams')).text, /<tr id="team-data-eng"[\s\S]*?<a href="\/u\/dot">dot<\/a>/);
  const nobody = await root.post('/admin/teams/data-eng/members', { login: 'zed' });
  t.is(nobody.status, 404);
  t.regex(nobody.text, /<tr id="team-data-eng"[\s\S]*?id="team-data-eng-error" role="alert">login: nobody has the login &quot;zed&quot;/);
  t.regex(nobody.text, /name="login" value="zed"[^>]*aria-invalid="true"/);
  const github = await root.post('/admin/teams/web/members', { login: 'dot' });
  t.is(github.status, 409, 'GitHub teams are not edited by hand');
  t.is((await root.post('/admin/teams/ghosts/delete', {})).status, 404);

  const out = await root.post('/admin/teams/data-eng/members/remove', { login: 'dot' });
  t.is(out.status, 303);
  t.false(/<tr id="team-data-eng"[\s\S]*?<\/tr>/.exec((await root.get('/admin/teams')).text)![0].includes('/u/dot'));
  const gone = await root.post('/admin/teams/data-eng/delete', {});
  t.is(gone.status, 303);
  t.is(gone.location, '/admin/teams?done=deleted');
  t.false((await root.get('/admin/teams')).text.includes('team-data-eng'));
  const audit = (await root.get('/admin/audit')).text;
  t.regex(audit, /root added the team data-eng \(“Data &lt;eng&gt;”\)/);
  t.regex(audit, /root added dot to the team data-eng/);
  t.regex(audit, /root took dot out of the team data-eng/);
  t.regex(audit, /root deleted the team data-eng \(it had 0 members\)/);
});

test('/admin/teams is for admins only, and every change needs the CSRF token', async (t) => {
  const mo = await app.signIn('mo', 'member');
  for (const b of [mo, boss]) {
    t.is((await b.get('/admin/teams')).status, 403);
    t.is((await b.post('/admin/teams', { slug: 'sneaky', name: '' })).status, 403);
    t.is((await b.post('/admin/teams/web/members', { login: 'mo' })).status, 403);
  }
  t.is((await root.post('/admin/teams', { slug: 'sneaky', name: '' }, { csrf: false })).status, 403);
  const anonymous = await app.browser().post('/admin/teams', { slug: 'sneaky' }, { csrf: false });
  t.is(anonymous.status, 303);
  t.regex(anonymous.location ?? '', /^\/login/);
  const signIn = await app.browser().get('/admin/teams');
  t.is(signIn.status, 302);
  t.regex(signIn.location ?? '', /^\/login/);
  t.deepEqual(await rows(app.running.services.db, 'SELECT slug FROM teams WHERE slug = ?', ['sneaky']), []);
});
