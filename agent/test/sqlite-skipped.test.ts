// On Node 20 (the agent's floor, and the test runner's Node) node:sqlite does not exist: the
// tools whose SQLite store is on the machine are named once in `collect` and `status`, and
// skipped; everything else is still read. Under a Node that has it, no such notice.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { WireEvent } from '../wire.ts';
import { sqliteAvailable } from '../collectors/sqlite.ts';
import { gooseRoots, gooseTime } from '../collectors/goose.ts';
import { hermesRoots } from '../collectors/hermes.ts';
import { kiloCliRoots } from '../collectors/kilo-cli.ts';
import { runCli } from './helpers/cli.ts';
import { startAgent } from '../cli/run.ts';
import { agentBundle, lines, runNode } from './helpers/node22.ts';
import { nodeWithSqlite } from './helpers/node-sqlite.ts';
import { totalsHome } from './helpers/totals-home.ts';
import { tempDir } from './helpers/tmp.ts';

const envFor = (h: { home: string; state: string }) => ({ HOME: h.home, TOKENBOARD_STATE_DIR: h.state, TOKENBOARD_AGENT_CONFIG: join(h.state, '..', 'agent.json') });

test('Node 20: collect and status name the SQLite tools once and skip them; files are still read', async (t) => {
  t.false(sqliteAvailable(), 'these tests run on Node 20, which has no node:sqlite');
  const h = await totalsHome();
  try {
    const r = await runCli(['collect', '--dry-run', '--json'], envFor(h));
    t.is(r.code, 0, r.stderr);
    const notices = r.stderr.split('\n').filter((l) => /node:sqlite/.test(l));
    t.is(notices.length, 1, r.stderr);
    t.regex(notices[0], /^collect: Goose, Kilo CLI, Hermes: SQLite stores skipped; reading them needs node:sqlite \(Node 22\.5 or newer\), this is Node 20\./);
    // stdout is still only events: Droid's two sessions and Goose's legacy file.
    const events = lines(r.stdout);
    t.deepEqual(events.map((e: WireEvent) => e.source).sort(), ['droid', 'droid', 'goose']);

    const st = await runCli(['status'], envFor(h));
    t.is(st.stdout.split('\n').filter((l) => /node:sqlite/.test(l)).length, 1);
    t.regex(st.stdout, /skipped: +Goose, Kilo CLI, Hermes: SQLite stores skipped/);
    const js = JSON.parse((await runCli(['status', '--json'], envFor(h))).stdout);
    t.deepEqual(js.skipped_sources, ['goose', 'kilo-cli', 'hermes']);
  } finally {
    await h.close();
  }
});

test('no notice where nothing is skipped: no store on the machine (Node 20), or a Node with node:sqlite', async (t) => {
  const empty = await runCli(['collect', '--dry-run'], { HOME: tempDir(), TOKENBOARD_STATE_DIR: join(tempDir(), 'state') });
  t.notRegex(empty.stderr, /node:sqlite/);
  const h = await totalsHome();
  try {
    const r = await runNode(nodeWithSqlite(), [await agentBundle(), 'collect', '--dry-run', '--json'], envFor(h));
    t.notRegex(r.stderr, /node:sqlite|skipped/);
    t.deepEqual([...new Set(lines(r.stdout).map((e) => e.source))].sort(), ['droid', 'goose', 'hermes', 'kilo-cli']);
  } finally {
    await h.close();
  }
});

test('locations: defaults per OS and the overrides the tools and ccusage honour', (t) => {
  const home = '/h';
  t.deepEqual(gooseRoots({ GOOSE_PATH_ROOT: '/g' }, home), [join('/g', 'data', 'sessions')]);
  t.is(gooseRoots({ GOOSE_PATH_ROOT: 'relative' }, home, 'linux')[0], join(home, '.local/share/goose/sessions'), 'Goose ignores a relative root');
  t.is(gooseRoots({ XDG_DATA_HOME: '/x' }, home, 'linux')[0], join('/x', 'goose', 'sessions'));
  t.true(gooseRoots({}, home, 'darwin').includes(join(home, 'Library/Application Support/Block/goose/sessions')));
  t.true(gooseRoots({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, home, 'win32').includes(join('C:\\Users\\a\\AppData\\Roaming', 'Block', 'goose', 'data', 'sessions')));
  t.deepEqual(kiloCliRoots({}, home), [join(home, '.local/share/kilo')]);
  t.deepEqual(kiloCliRoots({ KILO_DATA_DIR: '/k1,/k2' }, home), ['/k1', '/k2']);
  t.deepEqual(hermesRoots({}, home, 'linux'), [join(home, '.hermes')]);
  t.deepEqual(hermesRoots({ HERMES_HOME: '/a,/b' }, home), ['/a', '/b']);
  t.true(hermesRoots({ LOCALAPPDATA: 'L' }, home, 'win32').includes(join('L', 'hermes')));
});

test('goose timestamps: SQLite text is UTC, RFC 3339 keeps its zone, numbers are seconds or ms', (t) => {
  t.is(gooseTime('2026-05-01 12:30:00'), Date.UTC(2026, 4, 1, 12, 30));
  t.is(gooseTime('2026-05-01T12:30:00.250+02:00'), Date.UTC(2026, 4, 1, 10, 30, 0, 250));
  t.is(gooseTime('2026-05-01'), Date.UTC(2026, 4, 1));
  t.is(gooseTime(1777636800), 1777636800_000);
  t.is(gooseTime('1777636800123'), 1777636800123);
  t.is(gooseTime('not a date'), null);
});

test('collect --help names each of these tools, where it reads and the override', async (t) => {
  const r = await runCli(['collect', '--help'], {});
  for (const s of ['Goose', 'GOOSE_PATH_ROOT', 'Factory Droid', 'DROID_SESSIONS_DIR', 'Kilo CLI', 'KILO_DATA_DIR', 'Hermes', 'HERMES_HOME', 'node:sqlite']) t.true(r.stdout.includes(s), s);
  t.regex((await runCli(['--help'], {})).stdout, /Goose, Factory Droid, Kilo CLI, Hermes/);
});

test('Node 20: `run` names the skipped SQLite tools once, not at every scan', async (t) => {
  const h = await totalsHome();
  const lines: string[] = [];
  try {
    const agent = await startAgent({ out: (l) => lines.push(l), err: (l) => lines.push(l), env: envFor(h) }, { proxy: false, watch: true, scanMs: 20 });
    // Scans until the files' events are queued, then several more.
    for (let i = 0; i < 200 && !lines.some((l) => /logs: 3 new events/.test(l)); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    await agent.stop();
    t.true(lines.some((l) => /logs: 3 new events \(goose 1, droid 2\)/.test(l)), lines.join('\n'));
    t.is(lines.filter((l) => /node:sqlite/.test(l)).length, 1);
    t.regex(lines.find((l) => /node:sqlite/.test(l))!, /logs: Goose, Kilo CLI, Hermes: SQLite stores skipped/);
  } finally {
    await h.close();
  }
});

test('Node 20: one notice for every SQLite tool, OpenCode\'s newer store included, in collect, status and run', async (t) => {
  // Where each tool keeps its store (its default location under the home); the files need
  // only exist for the tool to be named.
  const home = tempDir();
  const state = join(tempDir(), 'state');
  for (const f of ['.local/share/opencode/opencode.db', '.openclaw/agents/main/agent/openclaw-agent.sqlite', '.gemini/antigravity/conversations/c1.db',
    '.zcode/cli/db/db.sqlite', '.local/share/goose/sessions/sessions.db', '.local/share/kilo/kilo.db', '.hermes/state.db']) {
    mkdirSync(dirname(join(home, f)), { recursive: true });
    writeFileSync(join(home, f), '');
  }
  const env = { HOME: home, TOKENBOARD_STATE_DIR: state, TOKENBOARD_AGENT_CONFIG: join(state, '..', 'agent.json') };
  const all = 'OpenCode, OpenClaw, Antigravity, ZCode, Goose, Kilo CLI, Hermes: SQLite stores skipped; reading them needs node:sqlite (Node 22.5 or newer)';
  const r = await runCli(['collect', '--dry-run', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '');
  t.deepEqual(r.stderr.split('\n').filter((l) => l.includes('node:sqlite')), [`collect: ${all}, this is Node ${process.versions.node}`]);
  t.deepEqual(JSON.parse((await runCli(['status', '--json'], env)).stdout).skipped_sources, ['opencode', 'openclaw', 'antigravity', 'zcode', 'goose', 'kilo-cli', 'hermes']);
  const lines: string[] = [];
  const agent = await startAgent({ out: (l) => lines.push(l), err: (l) => lines.push(l), env }, { proxy: false, watch: true, scanMs: 20 });
  await new Promise((r) => setTimeout(r, 200));
  await agent.stop();
  t.is(lines.filter((l) => l.includes('node:sqlite')).length, 1, lines.join('\n'));
  t.true(lines.some((l) => l.endsWith(`logs: ${all}, this is Node ${process.versions.node}`)), lines.join('\n'));
});
