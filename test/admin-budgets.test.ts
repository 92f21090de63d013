// /admin/budgets over HTTP: for admins only (members and managers 403, anonymous sent to
// sign in), every POST wants the CSRF token, a refused form comes back with its message on
// the field and what was typed (nothing stored), and a saved budget shows its spend bar.
import test from 'ava';
import { setPrice } from '../src/pricing/store.ts';
import { setBudget } from '../src/budgets/budgets.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { withApp, postIngest, event, type TestApp, type Browser } from './helpers/app.ts';
import { rows, updateUser } from './helpers/db.ts';

let app: TestApp;
let admin: Browser;

/** What nunjucks' autoescape makes of a text. */
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const stored = async () => rows<{ id: number; scope: string; limit_usd: number | null; limit_tokens: number | null }>(app.running.services.db, 'SELECT id, scope, limit_usd, limit_tokens FROM budgets ORDER BY id');

test.before(async () => {
  app = await withApp();
  const { db } = app.running.services;
  // $10 per million input tokens: ana's 3 × 1,000,000 tokens cost $30.
  await setPrice(db, { model: 'budget-model', input: 10, output: 20 }, CLI_ACTOR);
  await app.createUser('ana');
  await updateUser(db, 'ana', { teams: ['platform'] });
  const ana = await app.createToken('ana');
  const r = await postIngest(app.url, ana, { events: [1, 2, 3].map(() => event({ model: 'budget-model', input_tokens: 1_000_000, output_tokens: 0 })) });
  if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(r.json)}`);
  // Budget #1: team platform, 10,000,000 tokens a month.
  await setBudget(db, { scope: 'team', subject: 'platform', period: 'month', limit_tokens: 10_000_000 }, CLI_ACTOR);
  admin = await app.signIn('root', 'admin');
});
test.after.always(async () => { await app?.stop(); });

const FORM = { scope: 'user', subject: 'ana', period: 'month', unit: 'usd', limit: '100', thresholds: '50, 80, 100' };

test.serial('members and managers get 403 on every budgets route, anonymous visitors are sent to sign in; nothing changes', async (t) => {
  const before = await stored();
  const anon = app.browser();
  const page = await anon.get('/admin/budgets');
  t.true(page.status === 302 || page.status === 303, String(page.status));
  t.is(page.location, '/login?next=%2Fadmin%2Fbudgets');
  for (const role of ['member', 'manager']) {
    const b = await app.signIn(`budgets-${role}`, role);
    const got = await b.get('/admin/budgets');
    t.is(got.status, 403, role);
    t.true(got.text.includes('This page is only for'), role);
    t.false(got.text.includes('team platform'), `${role}: no budget shown`);
    t.is((await b.post('/admin/budgets', FORM)).status, 403, `${role}: add`);
    t.is((await b.post('/admin/budgets/1', { ...FORM, scope: 'team', subject: 'platform', limit: '1' })).status, 403, `${role}: edit`);
    t.is((await b.post('/admin/budgets/1/delete')).status, 403, `${role}: delete`);
  }
  t.deepEqual(await stored(), before);
});

test.serial('a POST without the CSRF token is refused (403): no add, no edit, no delete', async (t) => {
  const before = await stored();
  await admin.get('/admin/budgets');
  t.is((await admin.post('/admin/budgets', FORM, { csrf: false })).status, 403);
  t.is((await admin.post('/admin/budgets', FORM, { csrf: 'not-the-token' })).status, 403);
  t.is((await admin.post('/admin/budgets/1', { ...FORM, scope: 'team', subject: 'platform', limit: '1' }, { csrf: false })).status, 403);
  t.is((await admin.post('/admin/budgets/1/delete', {}, { csrf: false })).status, 403);
  t.deepEqual(await stored(), before);
});

test.serial('refused forms: the message on its field, what was typed kept, nothing stored', async (t) => {
  const before = await stored();
  const cases: { form: Partial<typeof FORM>; field: string | null; message: string }[] = [
    { form: { limit: '0' }, field: 'limit', message: 'limit: must be more than 0 USD, got 0' },
    { form: { unit: 'tokens', limit: '-5' }, field: 'limit', message: 'limit: must be more than 0 tokens, got -5' },
    { form: { limit: 'lots' }, field: 'limit', message: 'limit: "lots" is not a number of USD' },
    { form: { thresholds: '0, 50' }, field: 'thresholds', message: 'thresholds: 0 is outside 1–1000 (percent of the limit)' },
    { form: { thresholds: '50, 1001' }, field: 'thresholds', message: 'thresholds: 1001 is outside 1–1000 (percent of the limit)' },
    { form: { scope: 'team', subject: 'ghosts' }, field: 'subject', message: 'team: there is no team "ghosts" (teams: platform)' },
    { form: { scope: 'team', subject: '<b>x</b>' }, field: 'subject', message: 'team: there is no team "<b>x</b>" (teams: platform)' },
    { form: { scope: 'user', subject: 'nobody' }, field: 'subject', message: 'user: nobody has the login "nobody"' },
    { form: { scope: 'user', subject: '' }, field: 'subject', message: 'user: give the login of the person the budget is for' },
    // Budget #1 is platform's monthly one: "Add" does not overwrite it.
    { form: { scope: 'team', subject: 'platform' }, field: null, message: 'budget: team platform already has a monthly budget (#1); change that one' },
  ];
  for (const c of cases) {
    const form = { ...FORM, ...c.form };
    const r = await admin.post('/admin/budgets', form);
    t.is(r.status, 400, c.message);
    t.true(r.text.includes(`<p class="field-error" id="add-error" role="alert">${html(c.message)}</p>`), c.message);
    const add = /<section class="card" id="add"[\s\S]*?<\/section>/.exec(r.text)![0];
    t.true(add.includes(`name="subject" value="${html(form.subject)}"`), `${c.message}: the subject as typed`);
    t.true(add.includes(`name="limit" value="${html(form.limit)}"`), `${c.message}: the limit as typed`);
    t.true(add.includes(`name="thresholds" value="${html(form.thresholds)}"`), `${c.message}: the thresholds as typed`);
    t.true(add.includes(`<option value="${form.scope}" selected>`), `${c.message}: the scope as chosen`);
    const invalid = [...add.matchAll(/name="(\w+)"[^>]*aria-invalid="true" aria-describedby="add-error"/g)].map((m) => m[1]);
    t.deepEqual(invalid, c.field ? [c.field] : [], `${c.message}: marked field`);
    t.false(r.text.includes('<b>x</b>'), 'typed markup is escaped');
  }
  // Editing budget #1 the same way: the message in its row.
  const edit = await admin.post('/admin/budgets/1', { scope: 'team', subject: 'platform', period: 'month', unit: 'tokens', limit: '0', thresholds: '80' });
  t.is(edit.status, 400);
  const row = /<tr id="budget-1" class="edit-row"[\s\S]*?<\/tr>/.exec(edit.text)?.[0] ?? '';
  t.regex(row, /name="limit" value="0" required aria-invalid="true" aria-describedby="budget-1-error"/);
  t.true(row.includes('<p class="field-error" id="budget-1-error" role="alert">limit: must be more than 0 tokens, got 0</p>'));
  t.is((await admin.post('/admin/budgets/99', { ...FORM })).status, 404, 'no such budget');
  t.deepEqual(await stored(), before);
});

test.serial('add, edit and delete a budget: the row shows what is used as text and as a bar', async (t) => {
  const made = await admin.post('/admin/budgets', FORM);
  t.is(made.status, 303);
  t.is(made.location, '/admin/budgets?done=saved');
  let page = await admin.get(made.location!);
  t.true(page.text.includes('<p class="flash" role="status">Budget saved. Its alerts follow the new numbers from now on.</p>'));
  const rowOf = (text: string, id: number) => new RegExp(`<tr id="budget-${id}" data-budget="${id}"[\\s\\S]*?</tr>`).exec(text)?.[0] ?? '';
  let row = rowOf(page.text, 2);
  t.regex(row, /<a href="\/u\/ana">ana<\/a>/);
  t.regex(row, /data-label="Limit">\$100\.00 estimated</);
  // ana's $30 of $100 = 30%: below 80%, so the "ok" colour and the bar a third full.
  t.regex(row, /class="budget-ok"/);
  t.regex(row, /<span data-used>\$30\.00 of \$100\.00 <b>30%<\/b><\/span>/);
  t.regex(row, /<svg class="bar budget-bar"[^>]*aria-label="\$30\.00 of \$100\.00 \(30%\) of the monthly budget"/);
  // 220 px wide, 30% filled: 66 px; ticks at 50, 80, 100% = 110, 176, 219 (the last pulled inside).
  t.regex(row, /<rect width="66" height="10" rx="5" fill="#4756d6"\/>/);
  t.deepEqual([...row.matchAll(/<rect x="([\d.]+)"/g)].map((m) => m[1]), ['110', '176', '219']);
  t.regex(row, /data-label="Alerts">at 50%, 80%, 100%/);
  // The platform budget beside it: 3,000,000 of 10,000,000 tokens.
  t.regex(rowOf(page.text, 1), /<span data-used>3M of 10M tokens <b>30%<\/b><\/span>/);

  // Edit: $35 makes $30 of it 85%, past 80%.
  const form = await admin.get('/admin/budgets?edit=2');
  t.regex(form.text, /<tr id="budget-2" class="edit-row"[\s\S]*?name="limit" value="100"/);
  const saved = await admin.post('/admin/budgets/2', { ...FORM, limit: '35', thresholds: '80 100' });
  t.is(saved.status, 303);
  t.is(saved.location, '/admin/budgets?done=saved#budget-2');
  page = await admin.get('/admin/budgets');
  row = rowOf(page.text, 2);
  // 30 / 35 = 0.857… → 85%.
  t.regex(row, /class="budget-near"/);
  t.regex(row, /<span data-used>\$30\.00 of \$35\.00 <b>85%<\/b><\/span>/);
  t.regex(row, /data-label="Alerts">at 80%, 100%/);
  t.like((await stored())[1], { id: 2, scope: 'user', limit_usd: 35, limit_tokens: null });

  const gone = await admin.post('/admin/budgets/2/delete');
  t.is(gone.status, 303);
  t.is(gone.location, '/admin/budgets?done=deleted');
  page = await admin.get(gone.location!);
  t.true(page.text.includes('Budget deleted. Alerts already sent stay in the delivery log.'));
  t.is(rowOf(page.text, 2), '');
  t.deepEqual((await stored()).map((b) => b.id), [1]);
  t.is((await admin.post('/admin/budgets/2/delete')).status, 404, 'deleting it again');
});
