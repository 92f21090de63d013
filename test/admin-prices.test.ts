// /admin/prices over HTTP: a price edit re-prices the leaderboard, profile, team page and
// `tokenboard stats`; inline htmx editing with inline errors; adding a price from the
// unknown-models inbox with the coverage preview; deleting; LiteLLM import (preview,
// apply, malformed file); history; roles and CSRF.
import test from 'ava';
import { withApp, postIngest, event, type TestApp, type Browser } from './helpers/app.ts';
import { main } from '../src/cli.ts';
import { listPrices } from '../src/pricing/store.ts';
import { cliEnv } from './helpers/engine.ts';

let app: TestApp;
let admin: Browser;
const recent = Date.now() - 3_600_000;

test.before(async () => {
  app = await withApp();
  const ana = await app.createToken((await app.createUser('ana')).login);
  // 1M haiku input tokens at the seeded $1/M = $1.00; 1,000 tokens of a model nobody priced.
  await postIngest(app.url, ana, { events: [
    event({ ts: recent, model: 'claude-haiku-4-5', input_tokens: 1_000_000, output_tokens: 0, source: 'proxy' }),
    event({ ts: recent, provider: 'acme', model: 'acme-x', input_tokens: 500, output_tokens: 500, source: 'proxy' }),
  ] });
  admin = await app.signIn('root', 'admin');
});
test.after.always(async () => { await app?.stop(); });

async function cliStats(login: string): Promise<any> {
  const out: string[] = [];
  const code = await main(['stats', login, '--json'], { out: (x) => out.push(x), err: () => {} }, await cliEnv(app.dataDir));
  if (code !== 0) throw new Error(`tokenboard stats exited ${code}`);
  return JSON.parse(out.join('\n'));
}

const haikuRow = (html: string) => /<tr id="p-[0-9a-f]+"(?: class="edit-row")? data-model="claude-haiku-4-5">[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';

/** A multipart upload as a browser sends it, with the session cookie and (unless told) the CSRF field. */
async function upload(b: Browser, path: string, fields: Record<string, string>, file?: { name: string; text: string }, csrf = true) {
  const fd = new FormData();
  if (csrf) fd.set('_csrf', b.csrf);
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  if (file) fd.set('file', new Blob([file.text], { type: 'application/json' }), file.name);
  const res = await fetch(`${app.url}${path}`, { method: 'POST', body: fd, headers: { cookie: b.cookie, accept: 'text/html' }, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

test.serial('a price edit changes the cost on the leaderboard, the profile, the team page and tokenboard stats', async (t) => {
  const before = await cliStats('ana');
  t.is(before.cost_usd, 1);
  for (const path of ['/', '/u/ana', '/team']) t.true((await admin.get(path)).text.includes('$1.00'), `${path} before`);

  // The inline editor: htmx asks for the row in edit mode, then posts it.
  const edit = await admin.htmx('/admin/prices?edit=claude-haiku-4-5');
  t.is(edit.status, 200);
  t.regex(edit.text.trimStart(), /^<tr id="p-[0-9a-f]+" class="edit-row" data-model="claude-haiku-4-5">/);
  const value = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(edit.text)![1];
  t.is(value('input'), '1');
  const saved = await admin.htmx('/admin/prices', 'POST', { mode: 'edit', model: 'claude-haiku-4-5', provider: 'anthropic', input: '3', output: value('output'), cache_read: value('cache_read'), cache_write: value('cache_write') });
  t.is(saved.status, 200);
  t.regex(saved.text.trimStart(), /^<tr id="p-[0-9a-f]+" data-model="claude-haiku-4-5">/);
  t.regex(saved.text, /data-field="input">\$3</);

  t.is((await cliStats('ana')).cost_usd, 3);
  t.is((await app.stats('ana')).cost_usd, 3);
  for (const path of ['/', '/u/ana', '/team']) {
    const html = (await admin.get(path)).text;
    t.true(html.includes('$3.00'), `${path} after`);
    t.false(html.includes('$1.00'), `${path} no old cost`);
  }
  const history = (await admin.get('/admin/prices')).text;
  t.regex(history, /<td>root<\/td><td>set<\/td><td><code>claude-haiku-4-5<\/code><\/td><td>in \$1 · out \$5 · cache read \$0\.1 · cache write \$1\.25 · 1h cache write \$2<\/td><td>in \$3 · out \$5/);
});

test.serial('inline validation: a negative or non-numeric price comes back on its field, nothing changes', async (t) => {
  const hx = await admin.htmx('/admin/prices', 'POST', { mode: 'edit', model: 'claude-haiku-4-5', provider: 'anthropic', input: '-1', output: '5', cache_read: '', cache_write: '' });
  t.is(hx.status, 200, 'htmx swaps the row with its message');
  t.regex(hx.text, /class="edit-row"/);
  t.regex(hx.text, /name="input" value="-1" required aria-invalid="true"/);
  t.regex(hx.text, /class="field-error" id="p-[0-9a-f]+-error" role="alert">input: must be a non-negative number of USD per million tokens, got -1</);
  const plain = await admin.post('/admin/prices', { mode: 'edit', model: 'claude-haiku-4-5', provider: 'anthropic', input: '3', output: 'abc', cache_read: '', cache_write: '' });
  t.is(plain.status, 400);
  t.regex(haikuRow(plain.text), /name="output" value="abc" required aria-invalid="true"/);
  t.regex(haikuRow(plain.text), /output: must be a non-negative number of USD per million tokens, got abc/);
  // Without JavaScript the Edit link loads the page with that row in edit mode.
  const noJs = await admin.get('/admin/prices?edit=claude-haiku-4-5');
  t.regex(haikuRow(noJs.text), /class="edit-row"[\s\S]*?name="input" value="3"/);
  const add = await admin.post('/admin/prices', { mode: 'add', model: 'new-model', input: '', output: '1' });
  t.is(add.status, 400);
  t.regex(add.text, /id="add"[\s\S]*?name="model" value="new-model"[\s\S]*?class="field-error" role="alert">input: a price in USD per million tokens is required/);
  const haiku = (await listPrices(app.running.services.db)).find((p) => p.model === 'claude-haiku-4-5')!;
  t.like(haiku, { input: 3, output: 5 });
  t.false((await listPrices(app.running.services.db)).some((p) => p.model === 'new-model'));
});

test.serial('pricing an unknown model from the inbox: prefilled form, coverage preview, then gone from the inbox', async (t) => {
  const page = await admin.get('/admin/prices');
  t.regex(page.text, /data-unknown="acme-x"><td><code>acme-x<\/code><\/td><td>acme<\/td><td class="num" title="1,000 tokens">1K<\/td><td class="num">1<\/td>/);
  t.true(page.text.includes('href="/admin/prices?model=acme-x&amp;provider=acme#add"'));
  const prefilled = await admin.get('/admin/prices?model=acme-x&provider=acme');
  t.regex(prefilled.text, /name="model" value="acme-x"/);
  t.regex(prefilled.text, /name="provider" value="acme"/);
  t.regex(prefilled.text, /data-covered="acme-x">[\s\S]*?no price/);
  const pattern = await admin.request('GET', '/admin/prices?model=acme-*', undefined, { 'hx-request': 'true', 'hx-target': 'coverage' });
  t.regex(pattern.text.trimStart(), /^<div id="coverage"/);
  t.regex(pattern.text, /would cover 1 recorded model/);
  t.regex((await admin.htmx('/admin/prices?model=claude-*')).text, /data-covered="claude-haiku-4-5"[\s\S]*?<code>claude-haiku-4-5<\/code>/, 'priced today by its exact id');
  t.regex((await admin.get('/team')).text, /class="money partial"/);

  const r = await admin.post('/admin/prices', { mode: 'add', model: 'acme-x', provider: 'acme', input: '2', output: '4', cache_read: '', cache_write: '' });
  t.is(r.status, 303);
  t.regex(r.location ?? '', /^\/admin\/prices\?done=saved#p-/);
  const after = await admin.get('/admin/prices');
  t.false(after.text.includes('data-unknown="acme-x"'));
  t.regex(after.text, /data-model="acme-x">[\s\S]*?data-field="input">\$2</);
  t.false((await admin.get('/team')).text.includes('class="money partial"'));
  t.deepEqual((await cliStats('ana')).unknown_models, []);
});

test.serial('delete a price: its models become unknown again', async (t) => {
  const hx = await admin.htmx('/admin/prices/delete', 'POST', { model: 'acme-x' });
  t.is(hx.status, 200);
  t.is(hx.text.trim(), '');
  t.true((await admin.get('/admin/prices')).text.includes('data-unknown="acme-x"'));
  t.regex((await admin.get('/admin/prices')).text, /<td>deleted<\/td><td><code>acme-x<\/code><\/td><td>in \$2 · out \$4<\/td><td>–<\/td>/);
  const again = await admin.post('/admin/prices/delete', { model: 'acme-x' });
  t.is(again.status, 404);
});

const LITELLM = JSON.stringify({
  sample_spec: { input_cost_per_token: 0 },
  'claude-haiku-4-5': { input_cost_per_token: 2e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 2e-7, cache_creation_input_token_cost: 2.5e-6, litellm_provider: 'anthropic', mode: 'chat' },
  'acme-x': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, litellm_provider: 'acme', mode: 'chat' },
  'bedrock/anthropic.claude-x': { input_cost_per_token: 9e-6, output_cost_per_token: 9e-6, mode: 'chat' },
}, null, 2);

test.serial('LiteLLM import: a malformed file is refused clearly and changes nothing; preview, then apply', async (t) => {
  const count = (await listPrices(app.running.services.db)).length;
  const bad = await upload(admin, '/admin/prices/import', {}, { name: 'prices.json', text: '{"claude-haiku-4-5": {' });
  t.is(bad.status, 400);
  t.regex(bad.text, /id="import"[\s\S]*?class="form-error" role="alert">file: not valid JSON/);
  const none = await upload(admin, '/admin/prices/import', {});
  t.is(none.status, 400);
  t.regex(none.text, /file: choose LiteLLM’s model_prices_and_context_window.json/);
  const badApply = await upload(admin, '/admin/prices/import/apply', { text: '[1, 2]' });
  t.is(badApply.status, 400);
  t.regex(badApply.text, /file: expected a JSON object of model names/);
  t.is((await listPrices(app.running.services.db)).length, count);

  const preview = await upload(admin, '/admin/prices/import', {}, { name: 'model_prices_and_context_window.json', text: LITELLM });
  t.is(preview.status, 200);
  t.regex(preview.text, /data-count="added">1</);
  t.regex(preview.text, /data-count="changed">1</);
  t.regex(preview.text, /data-count="skipped"[^>]*>1</);
  t.regex(preview.text, /data-changed="claude-haiku-4-5"><td><code>claude-haiku-4-5<\/code><\/td><td>in \$3 · out \$5 · cache read \$0\.1 · cache write \$1\.25 · 1h cache write \$2<\/td><td>in \$2 · out \$10 · cache read \$0\.2 · cache write \$2\.5<\/td>/, 'the file has no 1-hour price for it: the diff says it goes');
  t.regex(preview.text, /data-added="acme-x"/);
  t.is((await listPrices(app.running.services.db)).length, count, 'a preview stores nothing');
  t.is((await cliStats('ana')).cost_usd, 3);

  // The apply form carries the file's text back, as the browser would send it.
  const text = /<input type="hidden" name="text" value="([^"]*)">/.exec(preview.text)![1]
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const applied = await upload(admin, '/admin/prices/import/apply', { text });
  t.is(applied.status, 303);
  t.is(applied.location, '/admin/prices?done=imported&added=1&changed=1');
  t.regex((await admin.get(applied.location!)).text, /LiteLLM prices imported: 1 added, 1 changed/);
  t.is((await listPrices(app.running.services.db)).length, count + 1);
  t.is((await cliStats('ana')).cost_usd, 2 + 0.0015, 'haiku at $2/M, acme-x 500 in at $1/M + 500 out at $2/M');
  t.regex((await admin.get('/admin/prices')).text, /<td>LiteLLM import<\/td>/);
});

test.serial('the 1-hour cache-write price: added, shown, edited inline, kept when a form leaves it out, refused when negative; the cost follows', async (t) => {
  const added = await admin.post('/admin/prices', { mode: 'add', model: 'acme-cache', provider: 'acme', input: '1', output: '1', cache_read: '', cache_write: '1', cache_write_1h: '3' });
  t.is(added.status, 303);
  t.regex(/<tr id="p-[0-9a-f]+" data-model="acme-cache">[\s\S]*?<\/tr>/.exec((await admin.get('/admin/prices')).text)![0], /data-field="cache_write">\$1<\/td><td class="num" data-field="cache_write_1h">\$3</);
  const cat = await app.createToken((await app.createUser('cat')).login);
  // 1M cache-write tokens, 400k of them with a 1-hour lifetime: 600k × $1/M + 400k × $3/M = $1.80.
  const r = await postIngest(app.url, cat, { events: [event({ ts: recent, provider: 'acme', model: 'acme-cache', input_tokens: 0, output_tokens: 0, cache_write_tokens: 1_000_000, cache_write_1h_tokens: 400_000, source: 'proxy' })] });
  t.is(r.status, 200);
  t.is((await app.stats('cat')).cost_usd, 1.8);
  t.true((await admin.get('/u/cat')).text.includes('$1.80'));

  const edit = await admin.htmx('/admin/prices?edit=acme-cache');
  t.regex(edit.text, /<label>1h cache write \$\/M\s*<input class="num-in" type="text" inputmode="decimal" name="cache_write_1h" value="3">/);
  const form = { mode: 'edit', model: 'acme-cache', provider: 'acme', input: '1', output: '1', cache_read: '', cache_write: '1' };
  const saved = await admin.htmx('/admin/prices', 'POST', { ...form, cache_write_1h: '5' });
  t.regex(saved.text, /data-field="cache_write_1h">\$5</);
  // 600k × $1/M + 400k × $5/M = $2.60.
  t.is((await app.stats('cat')).cost_usd, 2.6);
  t.true((await admin.get('/u/cat')).text.includes('$2.60'));
  // A client that sends the older form without the field keeps the 1-hour price.
  t.is((await admin.htmx('/admin/prices', 'POST', { ...form, input: '1.5' })).status, 200);
  t.like((await listPrices(app.running.services.db)).find((p) => p.model === 'acme-cache')!, { input: 1.5, cache_write_1h: 5 });
  const bad = await admin.htmx('/admin/prices', 'POST', { ...form, cache_write_1h: '-2' });
  t.regex(bad.text, /name="cache_write_1h" value="-2" aria-invalid="true"/);
  t.regex(bad.text, /role="alert">cache_write_1h: must be a non-negative number of USD per million tokens, got -2</);
  t.like((await listPrices(app.running.services.db)).find((p) => p.model === 'acme-cache')!, { cache_write_1h: 5 });
  // An empty box clears it: 1-hour writes are then priced as 5-minute ones.
  await admin.htmx('/admin/prices', 'POST', { ...form, cache_write_1h: '' });
  t.is((await listPrices(app.running.services.db)).find((p) => p.model === 'acme-cache')!.cache_write_1h, null);
  t.is((await app.stats('cat')).cost_usd, 1);
});

test.serial('members get 403; an upload or edit without the CSRF token gets 403', async (t) => {
  const member = await app.signIn('mo', 'member');
  t.is((await member.get('/admin/prices')).status, 403);
  t.is((await member.post('/admin/prices', { mode: 'add', model: 'x', input: '1', output: '1' })).status, 403);
  t.is((await upload(member, '/admin/prices/import', {}, { name: 'p.json', text: LITELLM })).status, 403);
  t.is((await upload(admin, '/admin/prices/import', {}, { name: 'p.json', text: LITELLM }, false)).status, 403);
  t.is((await admin.post('/admin/prices', { mode: 'add', model: 'x', input: '1', output: '1' }, { csrf: false })).status, 403);
  t.false((await listPrices(app.running.services.db)).some((p) => p.model === 'x'));
});
