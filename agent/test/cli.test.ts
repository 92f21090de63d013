// The CLI surface: help for every command, argument errors, login refusing bad tokens,
// status explaining a stop; and the bundle the server serves.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import OpenAI from 'openai';
import { withApp } from '../../test/helpers/app.ts';
import { runCli, MAIN } from './helpers/cli.ts';
import { fakeUpstream, json } from './helpers/upstream.ts';
import { Outbox } from '../outbox.ts';
import { ev } from './helpers/events.ts';
import type { WireEvent } from '../wire.ts';
import * as c from './helpers/canned.ts';
import { tempDir } from './helpers/tmp.ts';

const tmp = () => tempDir('tb-cli-');

test('--help for the agent and for each command', async (t) => {
  const top = await runCli(['--help'], {});
  t.is(top.code, 0);
  for (const cmd of ['login', 'proxy', 'collect', 'run', 'status', 'service']) {
    t.true(top.stdout.includes(cmd));
    const r = await runCli([cmd, '--help'], {});
    t.is(r.code, 0);
    t.regex(r.stdout, new RegExp(`Usage: ${cmd}`));
  }
});

test('unknown commands and options are usage errors', async (t) => {
  t.is((await runCli(['frobnicate'], {})).code, 2);
  const r = await runCli(['collect', '--bogus'], { HOME: tmp() });
  t.is(r.code, 2);
  t.regex(r.stderr, /bogus/);
  const d = await runCli(['collect', '--since', '2026-13-45', '--dry-run'], { HOME: tmp() });
  t.is(d.code, 2);
  t.regex(d.stderr, /YYYY-MM-DD/);
});

test('login refuses a wrong token and writes nothing; status explains a 401 stop', async (t) => {
  const app = await withApp();
  try {
    await app.createUser('fay');
    const tok = await app.createToken('fay');
    const dir = tmp();
    const env = { HOME: dir, TOKENBOARD_AGENT_CONFIG: join(dir, 'cfg', 'agent.json'), TOKENBOARD_STATE_DIR: join(dir, 'state') };
    const bad = await runCli(['login', '--server', app.url, '--user', String(tok.user_id), '--token', 'nope'], env);
    t.is(bad.code, 1);
    t.false(existsSync(env.TOKENBOARD_AGENT_CONFIG));
    const none = await runCli(['status'], env);
    t.is(none.code, 1);
    t.regex(none.stdout, /not logged in/);

    // Log in with the good token, then the token is "lost": sending stops, status says why.
    t.is((await runCli(['login', '--server', app.url, '--user', String(tok.user_id), '--token', tok.token], env)).code, 0);
    const saved = JSON.parse(readFileSync(env.TOKENBOARD_AGENT_CONFIG, 'utf8'));
    t.deepEqual(saved, { server: app.url, user: tok.user_id, token: tok.token });
    const queued = new Outbox(env.TOKENBOARD_STATE_DIR);
    queued.append([ev(), ev()]);
    queued.close();
    const wrongEnv = { ...env, TOKENBOARD_TOKEN: 'revoked-token' };
    const c1 = await runCli(['collect'], wrongEnv);
    t.regex(c1.stderr, /stay queued.*401/);
    const st = await runCli(['status'], wrongEnv);
    t.is(st.code, 1);
    t.regex(st.stdout, /queue: +2 events/);
    t.regex(st.stdout, /STOPPED: .*401/);
    t.false(st.stdout.includes('revoked-token'));
    // With the right token again, everything goes.
    const ok = await runCli(['collect'], env);
    t.regex(ok.stderr, /the server has everything/);
    t.is((await app.stats('fay')).events, 2);
  } finally {
    await app.stop();
  }
});

test('login saves nothing it could not check: connection refused, not a TokenBoard, a busy server; --offline only for the unreachable', async (t) => {
  const app = await withApp();
  // A port nothing listens on: bind one, note it, close it.
  const closed = await fakeUpstream({});
  const deadUrl = closed.url;
  await closed.close();
  // Web servers that are not TokenBoard: one answers 200 with a page, one is busy.
  const notOurs = await fakeUpstream({ 'POST /api/ingest': (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>Welcome to the Wi-Fi</html>'); } });
  const busy = await fakeUpstream({ 'POST /api/ingest': json(503, { error: 'the server is busy; retry shortly' }) });
  try {
    await app.createUser('gil');
    const tok = await app.createToken('gil');
    const dir = tmp();
    const env = { HOME: dir, TOKENBOARD_AGENT_CONFIG: join(dir, 'cfg', 'agent.json'), TOKENBOARD_STATE_DIR: join(dir, 'state') };
    const args = (server: string, token = tok.token) => ['login', '--server', server, '--user', String(tok.user_id), '--token', token];

    const refused = await runCli(args(deadUrl), env);
    t.is(refused.code, 1);
    t.false(existsSync(env.TOKENBOARD_AGENT_CONFIG), 'connection refused: nothing saved');
    t.regex(refused.stderr, /could not be reached \(ECONNREFUSED\)/);
    t.regex(refused.stderr, /Nothing was saved.*--offline/);
    t.false(refused.stdout.includes('Saved'));

    const html = await runCli(args(notOurs.url), env);
    t.is(html.code, 1);
    t.regex(html.stderr, /not as a TokenBoard server does/);
    t.false(existsSync(env.TOKENBOARD_AGENT_CONFIG), 'a 200 from another web server: nothing saved');

    const unavailable = await runCli(args(busy.url), env);
    t.is(unavailable.code, 1);
    t.regex(unavailable.stderr, /answered 503/);
    t.false(existsSync(env.TOKENBOARD_AGENT_CONFIG), 'a busy server could not check the token: nothing saved');

    // A good login, then a wrong URL later: the good one stays as it was.
    t.is((await runCli(args(app.url), env)).code, 0);
    const good = readFileSync(env.TOKENBOARD_AGENT_CONFIG, 'utf8');
    t.is((await runCli(args(deadUrl), env)).code, 1);
    t.is(readFileSync(env.TOKENBOARD_AGENT_CONFIG, 'utf8'), good, 'the earlier login is untouched');

    // --offline saves what cannot be checked now, and says it is unchecked.
    const offline = await runCli([...args(deadUrl), '--offline'], env);
    t.is(offline.code, 0, offline.stderr);
    t.regex(offline.stdout, /Saved .*agent\.json/);
    t.regex(offline.stderr, /Not checked \(--offline\)/);
    t.false(offline.stdout.includes('accepted'));
    t.deepEqual(JSON.parse(readFileSync(env.TOKENBOARD_AGENT_CONFIG, 'utf8')), { server: deadUrl, user: tok.user_id, token: tok.token });
    // ... but a server that can be reached and says no is still a no, and so is one that is not ours.
    const wrongToken = await runCli([...args(app.url, 'nope'), '--offline'], env);
    t.is(wrongToken.code, 1);
    t.regex(wrongToken.stderr, /refused these credentials/);
    t.is((await runCli([...args(notOurs.url), '--offline'], env)).code, 1);
    t.is(JSON.parse(readFileSync(env.TOKENBOARD_AGENT_CONFIG, 'utf8')).server, deadUrl, 'refusals leave the saved values alone');
  } finally {
    await notOurs.close();
    await busy.close();
    await app.stop();
  }
});

test('the bundle: one file, runs as a CLI only as the main module, exports wrapFetch', async (t) => {
  const dir = tmp();
  const out = join(dir, 'tokenboard-agent.mjs');
  await build({ entryPoints: [MAIN], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
  const text = readFileSync(out, 'utf8');
  // No runtime dependencies: every import left in the bundle is a node: built-in.
  const imports = [...text.matchAll(/(?:^|\n)import\s[^'"]*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  t.true(imports.every((i) => i.startsWith('node:')), imports.join(', '));
  t.regex(execFileSync(process.execPath, [out, '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH } }), /Usage: node tokenboard-agent\.mjs/);

  const up = await fakeUpstream({ 'POST /v1/chat/completions': json(200, c.chatBody) });
  try {
    // Importing must not start the CLI.
    const mod = await import(pathToFileURL(out).href) as { wrapFetch: (f: typeof fetch, o: { sink: (e: WireEvent[]) => void }) => typeof fetch };
    const seen: WireEvent[] = [];
    const client = new OpenAI({ apiKey: 'sk-x', baseURL: `${up.url}/v1`, fetch: mod.wrapFetch(fetch, { sink: (e) => seen.push(...e) }), maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    await new Promise((r) => setTimeout(r, 50));
    t.is(seen.length, 1);
    t.like(seen[0], { input_tokens: 78, output_tokens: 651, cache_read_tokens: 1408 });
  } finally {
    await up.close();
  }
});

test('collect --since leaves out older events (local midnight of that day)', async (t) => {
  const { copyHome } = await import('./helpers/logs.ts');
  const h = copyHome();
  const env = { HOME: h.home, TOKENBOARD_STATE_DIR: h.state, TZ: 'UTC' };
  const r = await runCli(['collect', '--since', '2026-05-05', '--dry-run', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as WireEvent);
  // msg_B1 (05-05), msg_C1 (05-06) and the three Codex events (05-13, 05-13, 05-14);
  // everything from 05-04 and earlier (Claude, Gemini, OpenCode) is left out
  t.is(events.length, 5);
  t.true(events.every((e) => e.ts >= Date.parse('2026-05-05T00:00:00Z')));
  t.deepEqual([...new Set(events.map((e) => e.source))].sort(), ['claude-code', 'codex']);
});

test('service install writes a systemd user unit that runs `run`; uninstall removes it', async (t) => {
  const home = tmp();
  // An empty PATH: no systemctl is run, the command says what to run by hand.
  const env = { HOME: home, PATH: '', TOKENBOARD_STATE_DIR: join(home, 'state') };
  const unit = join(home, '.config/systemd/user/tokenboard-agent.service');
  const r = await runCli(['service', 'install'], env);
  t.is(r.code, 0, r.stderr);
  const text = readFileSync(unit, 'utf8');
  t.regex(text, /ExecStart=".*node[^"]*" ".*main\.ts" run/);
  t.regex(text, /Environment="TOKENBOARD_STATE_DIR=/);
  t.regex(r.stderr, /systemctl --user daemon-reload/);
  t.is((await runCli(['service', 'uninstall'], env)).code, 0);
  t.false(existsSync(unit));
  t.is((await runCli(['service', 'restart'], env)).code, 2);
});
