// Budgets where people and managers see them: a person sees the budgets that count their
// usage (their own, their teams', the org's) on their own profile and on /settings, and
// nobody else's; a manager sees their teams' budgets and the org's on /team (an admin every
// team's), never a person's.
import test from 'ava';
import { setPrice } from '../src/pricing/store.ts';
import { setBudget } from '../src/budgets/budgets.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { withApp, postIngest, event, type TestApp, type Browser } from './helpers/app.ts';
import { updateUser } from './helpers/db.ts';

let app: TestApp;
const as: Record<string, Browser> = {};

/** The budgets listed on a page, by id, in the order shown (the org's, then teams', then people's). */
const budgetIds = (html: string) => [...html.matchAll(/<li class="budget budget-\w+" data-budget="(\d+)">/g)].map((m) => Number(m[1]));
const budgetItem = (html: string, id: number) => new RegExp(`<li class="budget budget-\\w+" data-budget="${id}">[\\s\\S]*?</li>`).exec(html)?.[0] ?? '';

test.before(async () => {
  app = await withApp();
  const { db } = app.running.services;
  // $10 per million input tokens.
  await setPrice(db, { model: 'budget-model', input: 10, output: 20 }, CLI_ACTOR);
  for (const [login, role, teams] of [['ana', 'member', ['platform']], ['ben', 'member', ['web']], ['zed', 'member', []], ['mia', 'manager', ['platform']], ['root', 'admin', []]] as const) {
    await app.createUser(login, role);
    await updateUser(db, login, { teams: [...teams] });
  }
  const M = (model = 'budget-model', input = 1_000_000) => event({ model, input_tokens: input, output_tokens: 0 });
  // ana: 2 × 1M priced ($20) and 1,000 tokens of a model without a price; ben: 1M ($10).
  for (const [login, events] of [['ana', [M(), M(), M('mystery-model', 1000)]], ['ben', [M()]]] as const) {
    const r = await postIngest(app.url, await app.createToken(login), { events: [...events] });
    if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(r.json)}`);
  }
  const budget = (d: Parameters<typeof setBudget>[1]) => setBudget(db, d, CLI_ACTOR);
  await budget({ scope: 'user', subject: 'ana', period: 'month', limit_usd: 100 }); // #1
  await budget({ scope: 'team', subject: 'platform', period: 'month', limit_tokens: 10_000_000 }); // #2
  await budget({ scope: 'team', subject: 'web', period: 'week', limit_usd: 50 }); // #3
  await budget({ scope: 'org', period: 'month', limit_usd: 1000 }); // #4
  await budget({ scope: 'user', subject: 'ben', period: 'month', limit_usd: 40 }); // #5
  for (const login of ['ana', 'ben', 'zed', 'mia', 'root']) as[login] = await app.signIn(login);
});
test.after.always(async () => { await app?.stop(); });

test('a person sees the budgets their usage counts towards on their own profile, with the spend so far', async (t) => {
  const page = await as.ana.get('/u/ana');
  t.is(page.status, 200);
  // Her own (#1), her team platform's (#2) and the org's (#4); not web's (#3) or ben's (#5).
  t.deepEqual(budgetIds(page.text), [4, 2, 1]);
  const own = budgetItem(page.text, 1);
  // $20 of $100 = 20%; the 1,000 unpriced tokens are said to be missing from the cost.
  t.regex(own, /<a href="\/u\/ana">ana<\/a><\/strong>\s*<span class="muted small">monthly, [A-Z][a-z]{2} 1 – [A-Z][a-z]{2} \d\d, limit \$100\.00 estimated<\/span>/);
  t.regex(own, /<span data-used>\$20\.00 of \$100\.00 <b>20%<\/b><\/span>/);
  t.regex(own, /<svg class="bar budget-bar"/);
  t.regex(own, /Partial: 1K tokens of models without a price are not in the cost\./);
  t.regex(own, /Alerts at 50%, 80%, 100%/);
  // 2,001,000 of 10,000,000 tokens = 20.01% → 20%; a token budget has no cost to be partial.
  const team = budgetItem(page.text, 2);
  t.regex(team, /<a href="\/team\?team=platform">team platform<\/a>/);
  t.regex(team, /<span data-used>2M of 10M tokens <b>20%<\/b><\/span>/);
  t.false(team.includes('Partial'));
  // The org: ana $20 + ben $10 = $30 of $1,000 = 3%.
  t.regex(budgetItem(page.text, 4), /the whole org[\s\S]*?<span data-used>\$30\.00 of \$1,000\.00 <b>3%<\/b><\/span>/);

  const ben = await as.ben.get('/u/ben');
  // ben: web's weekly $10 of $50 = 20%, the org's, his own $10 of $40 = 25%.
  t.deepEqual(budgetIds(ben.text), [4, 3, 5]);
  t.regex(budgetItem(ben.text, 3), /weekly, [\s\S]*?<span data-used>\$10\.00 of \$50\.00 <b>20%<\/b><\/span>/);
  t.regex(budgetItem(ben.text, 5), /<span data-used>\$10\.00 of \$40\.00 <b>25%<\/b><\/span>/);
});

test('nobody sees another person\'s budgets on their profile, not even an admin', async (t) => {
  for (const viewer of ['ben', 'mia', 'root']) {
    const page = await as[viewer].get('/u/ana');
    t.is(page.status, 200, viewer);
    t.deepEqual(budgetIds(page.text), [], viewer);
    t.false(page.text.includes('id="budgets"'), `${viewer}: no budgets section`);
    t.false(page.text.includes('of $100.00'), `${viewer}: ana's limit is not shown`);
  }
});

test('/settings lists the same budgets as the person\'s profile; someone in no team sees only the org\'s', async (t) => {
  const ana = await as.ana.get('/settings');
  t.deepEqual(budgetIds(ana.text), [4, 2, 1]);
  t.regex(budgetItem(ana.text, 1), /<span data-used>\$20\.00 of \$100\.00 <b>20%<\/b><\/span>/);
  t.regex(ana.text, /Budgets your usage counts towards \(yours, your teams’ and the org’s\), this period so far\. An admin sets them\./);
  t.deepEqual(budgetIds((await as.ben.get('/settings')).text), [4, 3, 5]);
  t.deepEqual(budgetIds((await as.zed.get('/settings')).text), [4]);
  t.deepEqual(budgetIds((await as.zed.get('/u/zed')).text), [4]);
});

test('a manager sees their teams\' budgets and the org\'s on /team; an admin every team\'s; nobody a person\'s there', async (t) => {
  const mia = await as.mia.get('/team');
  t.is(mia.status, 200);
  t.deepEqual(budgetIds(mia.text), [4, 2], 'platform and the org; not web, not ana\'s or ben\'s own');
  t.regex(mia.text, /Budgets of your teams and of the whole org, this period so far\./);
  t.regex(budgetItem(mia.text, 2), /<span data-used>2M of 10M tokens <b>20%<\/b><\/span>/);
  t.deepEqual(budgetIds((await as.root.get('/team')).text), [4, 2, 3]);
  // The htmx fragment (filters) carries the adoption numbers only, not the budgets again.
  const fragment = await as.mia.request('GET', '/team?window=7d', undefined, { 'hx-request': 'true', 'hx-target': 'team' });
  t.is(fragment.status, 200);
  t.regex(fragment.text.trimStart(), /^<section id="team" class="team"/);
  t.deepEqual(budgetIds(fragment.text), []);
  t.is((await as.ana.get('/team')).status, 403, 'a member has no team page');
});
