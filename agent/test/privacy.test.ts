// DESIGN "Privacy rule": the fixture logs carry a marker in prompts, responses, tool
// output, cwd and file names. Neither `collect --dry-run --json` nor any request body the
// server receives may contain the marker, a path or a raw session id. Runs the real CLI.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { withApp } from '../../test/helpers/app.ts';
import { checkBatch, type WireEvent } from '../wire.ts';
import { CLI_TOOLS_HOME, copyHome, totals } from './helpers/logs.ts';
import { runCli } from './helpers/cli.ts';
import { gate } from './helpers/gate.ts';
import { MARKER } from './helpers/canned.ts';
import { copyVscodeHome } from './helpers/vscode-home.ts';
import { CWD, GOOSE_IMPORTED, HERMES_SESSION, KILO_SESSION, totalsHome } from './helpers/totals-home.ts';
import { agentBundle, lines, runNode } from './helpers/node22.ts';
import { nodeWithSqlite } from './helpers/node-sqlite.ts';

const RAW_SESSION_IDS = [
  '7d1c2a9e-4b1f-4c52-9a0e-2f3b9e1d6c10', '8e2d3b0f-5c2a-4d63-8b1f-3a4c0f2e7d21', '9f3e4c1a-6d3b-4e74-9c2a-4b5d1a3f8e32',
  '019e1a2b-3c4d-7e5f-8a9b-0c1d2e3f4a5b', '019e1a2b-aaaa-7e5f-8a9b-0c1d2e3f4a5c',
  'abcd1234-1111-4222-8333-944455556666', 'ef567890-2222-4333-8444-a55566667777', 'ses_01JX3ZQXMARKER7731',
];

function leaks(text: string, home: string): string[] {
  const bad = [MARKER, 'ZQX', 'MARKER7731', home, '/Users/ana', 'shop-api', '.jsonl', '.claude', ...RAW_SESSION_IDS];
  return bad.filter((b) => text.includes(b));
}

/** Every file under `dir`, names and contents. */
function readTree(dir: string): string {
  let all = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    all += `${p.slice(dir.length)}\n`;
    if (e.isFile()) all += `${readFileSync(p, 'utf8')}\n`;
  }
  return all;
}

function envFor(h: { home: string; state: string }): Record<string, string> {
  return { HOME: h.home, TOKENBOARD_STATE_DIR: h.state, TOKENBOARD_AGENT_CONFIG: join(h.state, '..', 'agent.json') };
}

test('collect --dry-run --json prints only counts, sends nothing, saves nothing', async (t) => {
  const h = copyHome();
  const r = await runCli(['collect', '--dry-run', '--json'], envFor(h));
  t.is(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as WireEvent);
  // claude-code 6 + codex 3 + gemini-cli 3 + opencode 2 (see the per-collector tests)
  t.is(events.length, 14);
  t.true(checkBatch({ events }).ok);
  t.deepEqual(leaks(r.stdout + r.stderr, h.home), []);
  // Newest first.
  t.deepEqual(events.map((e) => e.ts), [...events.map((e) => e.ts)].sort((a, b) => b - a));
  t.false(existsSync(join(h.state, 'cursors.json')));
  t.false(existsSync(join(h.state, 'outbox')));
  // A second dry run prints exactly the same.
  t.is((await runCli(['collect', '--dry-run', '--json'], envFor(h))).stdout, r.stdout);
});

test('login, collect and status against the real server: the bodies it receives hold no marker, path or session id', async (t) => {
  const app = await withApp();
  const front = await gate(() => app.url);
  const h = copyHome();
  try {
    await app.createUser('eve');
    const tok = await app.createToken('eve');
    const env = envFor(h);
    const dry = await runCli(['collect', '--dry-run', '--json'], env);
    const expected = totals(dry.stdout.trim().split('\n').map((l) => JSON.parse(l) as WireEvent));

    const login = await runCli(['login', '--server', front.url, '--user', String(tok.user_id), '--token', tok.token], env);
    t.is(login.code, 0, login.stderr);
    t.is(statSync(env.TOKENBOARD_AGENT_CONFIG).mode & 0o777, 0o600);

    const sent = await runCli(['collect'], env);
    t.is(sent.code, 0, sent.stderr);
    t.regex(sent.stderr, /the server has everything/);
    const s = await app.stats('eve');
    t.like(s, { events: expected.events, input_tokens: expected.input_tokens, output_tokens: expected.output_tokens, cache_read_tokens: expected.cache_read_tokens, cache_write_tokens: expected.cache_write_tokens });

    // Nothing new: a second collect finds nothing.
    const again = await runCli(['collect'], env);
    t.regex(again.stderr, /found 0 new events/);

    const status = await runCli(['status', '--json'], env);
    t.is(status.code, 0, status.stdout + status.stderr);
    const st = JSON.parse(status.stdout);
    t.is(st.queue, 0);
    t.is(st.delivered, 14);
    t.deepEqual(st.sent_by_source, { 'claude-code': 6, codex: 3, 'gemini-cli': 3, opencode: 2 });

    // Everything the server received, and everything it logged.
    t.true(front.bodies.length >= 2);
    t.deepEqual(leaks(front.bodies.join('\n'), h.home), []);
    t.deepEqual(leaks(app.logs.join('\n'), h.home), []);
    // (status may name local files such as the rejected-events file: it is local output.)
    // Login names the config file it saved: a temp path whose random letters once held
    // 'ZQX'. That path is the user's own choice, not from a log; leave it out of the search.
    const saved = (text: string) => text.split(resolve(env.TOKENBOARD_AGENT_CONFIG)).join('<config>').split(env.TOKENBOARD_AGENT_CONFIG).join('<config>');
    t.true(saved(login.stdout).includes('Saved <config>'), login.stdout);
    t.deepEqual(leaks(saved(login.stdout + login.stderr) + sent.stdout + sent.stderr, h.home), []);
    t.false((sent.stderr + status.stdout).includes(tok.token));
    // What the agent keeps on disk (cursors, queue, state) holds none of it either.
    const tree = readTree(h.state);
    t.true(tree.includes('cursors.json') && tree.includes('sender.json'));
    t.deepEqual(leaks(tree, h.home), []);
  } finally {
    await front.close();
    await app.stop();
  }
});

// The VS Code-family sources (Cline, Roo Code, Kilo Code, Copilot Chat): their fixture home
// plants the marker in prompts, responses, tool output, environment details, workspace
// folders and a workspace storage folder's name.
const VSCODE_RAW_IDS = [
  '1770000000001', '1770000100000', '1770000200000', '1784094053271_p8pzo', '1784100000000_legac', '019a1b2c-3d4e-7f60-8a9b-0c1d2e3f4a11', '019a1b2c-3d4e-7f60-8a9b-0c1d2e3f4a22',
  '019a1b2c-3d4e-7f60-8a9b-0c1d2e3f4a33', '5e1f0c2a-7b3d-4c8e-9f10-2a3b4c5d6e7f', '6f2a1d3b-8c4e-4d9f-a021-3b4c5d6e7f80', 'request_aaa', 'request_ccc', 'request_ddd', 'msg_a1',
];
const VSCODE_PATHS = ['ui_messages', 'globalStorage', 'workspaceStorage', 'saoudrizwan', 'roo-cline', '.vscode-server'];
const vscodeLeaks = (text: string, home: string): string[] => [...leaks(text, home), ...[...VSCODE_RAW_IDS, ...VSCODE_PATHS].filter((b) => text.includes(b))];

test('VS Code-family sources: dry run, the bodies the server receives and the state dir hold no marker, path or raw id', async (t) => {
  const app = await withApp();
  const front = await gate(() => app.url);
  const h = copyVscodeHome();
  try {
    const env = envFor(h);
    const dry = await runCli(['collect', '--dry-run', '--json'], env);
    t.is(dry.code, 0, dry.stderr);
    const events = dry.stdout.trim().split('\n').map((l) => JSON.parse(l) as WireEvent);
    // cline 12 + roo-code 6 + kilo-code 2 + copilot-vscode 5 (see their tests)
    t.is(events.length, 25);
    t.deepEqual(vscodeLeaks(dry.stdout + dry.stderr, h.home), []);
    await app.createUser('val');
    const tok = await app.createToken('val');
    t.is((await runCli(['login', '--server', front.url, '--user', String(tok.user_id), '--token', tok.token], env)).code, 0);
    const sent = await runCli(['collect'], env);
    t.regex(sent.stderr, /the server has everything/);
    t.like(await app.stats('val'), totals(events));
    t.deepEqual(vscodeLeaks(front.bodies.join('\n') + app.logs.join('\n') + sent.stdout + sent.stderr, h.home), []);
    t.deepEqual(vscodeLeaks(readTree(h.state), h.home), []);
  } finally {
    await front.close();
    await app.stop();
  }
});

// The CLI tools' fixtures (agent/test/fixtures/cli-tools): their raw session, thread, trace
// and chat ids, beside the marker in prompts, responses, tool output, cwds and folder names.
const CLI_TOOL_IDS = [
  'c0a1b2c3-0000-4000-8000-00000000c011', 'a'.repeat(32), 'T-5a1c2b3d-0000-4000-8000-0000000a0001', 'T-5a1c2b3d',
  '019a0c11-aaaa-7000-8000-00000000b001', '019a0c11-bbbb-7000-8000-00000000b002', 'a1b2c3d4', 'resp_pi_0003',
  'f1e2d3c4-0000-4000-8000-00000000c101', '0c1a0001', 'a0b0c0d0-1111-4000-8000-00000000d001', 'chatcmpl-',
  'e5d4c3b2-0000-4000-8000-00000000e001', 'q-0001', '2026-06-07T10-00-00', 'cb-m1', '7e6d5c4b-0000-4000-8000-00000000f001', 'evt-g1',
  '%2F', 'manicode', '.copilot', 'wire.jsonl', 'updates.jsonl',
];

test('the CLI tools: collect --dry-run --json and what the real server receives and the state dir keeps hold no marker, path or raw id', async (t) => {
  const app = await withApp();
  const front = await gate(() => app.url);
  const h = copyHome(CLI_TOOLS_HOME);
  const bad = (text: string) => [...leaks(text, h.home), ...CLI_TOOL_IDS.filter((b) => text.includes(b))];
  try {
    const env = envFor(h);
    const dry = await runCli(['collect', '--dry-run', '--json'], env);
    t.is(dry.code, 0, dry.stderr);
    const events = dry.stdout.trim().split('\n').map((l) => JSON.parse(l) as WireEvent);
    // copilot-cli 5 + amp 6 + pi 3 + openclaw 4 + kimi-cli 3 + qwen-code 2 + codebuff 3 + grok 3 (cli-tools.test.ts)
    t.is(events.length, 5 + 6 + 3 + 4 + 3 + 2 + 3 + 3);
    t.deepEqual(bad(dry.stdout + dry.stderr), []);
    await app.createUser('ivy');
    const tok = await app.createToken('ivy');
    t.is((await runCli(['login', '--server', front.url, '--user', String(tok.user_id), '--token', tok.token], env)).code, 0);
    const sent = await runCli(['collect'], env);
    t.regex(sent.stderr, /the server has everything/);
    t.is((await app.stats('ivy')).events, events.length);
    t.deepEqual(bad(front.bodies.join('\n')), []);
    t.deepEqual(bad(app.logs.join('\n')), []);
    t.deepEqual(bad(sent.stdout + sent.stderr), []);
    t.deepEqual(bad(readTree(h.state)), []);
  } finally {
    await front.close();
    await app.stop();
  }
});

// The running-total tools (Factory Droid's files, the Goose, Kilo CLI and Hermes stores),
// run where node:sqlite exists: their titles, working dirs, transcripts and message text carry
// the marker, their session ids are raw ids, and none of it may leave or be kept.
const TOTALS_RAW_IDS = ['d1a2b3c4-1111-4222-8333-444455556666', 'd2b3c4d5-2222-4333-8444-555566667777', GOOSE_IMPORTED, '20260502_1', '20260503_1', '20260504_1',
  HERMES_SESSION, '20260518_090000_abc123', '20260519_100000_def456', KILO_SESSION, 'msg_k'];
const totalsLeaks = (text: string, home: string): string[] =>
  [...leaks(text, home), CWD, '/home/dev', '.factory', 'sessions.db', 'state.db', 'kilo.db', 'settings.json', ...TOTALS_RAW_IDS].filter((b) => text.includes(b));

test('Droid, Goose, Kilo CLI and Hermes under Node 22: dry run, bodies, server logs and the state dir hold no marker, path or raw id', async (t) => {
  const app = await withApp();
  const front = await gate(() => app.url);
  const h = await totalsHome();
  const node = nodeWithSqlite();
  const bundle = await agentBundle();
  try {
    await app.createUser('ivy');
    const tok = await app.createToken('ivy');
    const env = envFor(h);
    const dry = await runNode(node, [bundle, 'collect', '--dry-run', '--json'], env);
    const events = lines(dry.stdout);
    // droid 2 + goose 4 + kilo-cli 2 + hermes 3 (see running-totals-sqlite.test.ts, droid.test.ts)
    t.is(events.length, 11);
    t.deepEqual(totalsLeaks(dry.stdout + dry.stderr, h.home), []);
    await runNode(node, [bundle, 'login', '--server', front.url, '--user', String(tok.user_id), '--token', tok.token], env);
    const sent = await runNode(node, [bundle, 'collect'], env);
    t.regex(sent.stderr, /the server has everything/);
    const expected = totals(events);
    t.like(await app.stats('ivy'), { events: 11, input_tokens: expected.input_tokens, output_tokens: expected.output_tokens, cache_read_tokens: expected.cache_read_tokens, cache_write_tokens: expected.cache_write_tokens });
    const status = await runNode(node, [bundle, 'status', '--json'], env);
    t.deepEqual(JSON.parse(status.stdout).sent_by_source, { droid: 2, goose: 4, 'kilo-cli': 2, hermes: 3 });
    t.deepEqual(totalsLeaks(front.bodies.join('\n'), h.home), []);
    t.deepEqual(totalsLeaks(app.logs.join('\n'), h.home), []);
    t.deepEqual(totalsLeaks(sent.stdout + sent.stderr, h.home), []);
    const tree = readTree(h.state);
    t.true(tree.includes('goose-totals') && tree.includes('hermes-totals') && tree.includes('droid-totals'));
    t.deepEqual(totalsLeaks(tree, h.home), []);
  } finally {
    await h.close();
    await front.close();
    await app.stop();
  }
});
