// `run` in one process: the proxy, the log watcher and the sender together, against the
// real server. Everything found in the fixture logs and everything proxied arrives once.
import test from 'ava';
import { join } from 'node:path';
import { withApp } from '../../test/helpers/app.ts';
import { startAgent, startLine } from '../cli/run.ts';
import { loadConfig, writeLogin } from '../config.ts';
import { copyHome } from './helpers/logs.ts';
import { fakeUpstream, json } from './helpers/upstream.ts';
import * as c from './helpers/canned.ts';

test('run: logs and proxy traffic reach the server exactly once', async (t) => {
  const app = await withApp();
  const up = await fakeUpstream({ 'POST /v1/messages': json(200, c.messagesBody) });
  const h = copyHome();
  const lines: string[] = [];
  try {
    await app.createUser('gus');
    const tok = await app.createToken('gus');
    const cfgPath = join(h.state, '..', 'agent.json');
    writeLogin(cfgPath, { server: app.url, user: tok.user_id, token: tok.token });
    const env = { HOME: h.home, TOKENBOARD_STATE_DIR: h.state, TOKENBOARD_AGENT_CONFIG: cfgPath, TOKENBOARD_PROXY_PORT: '0', TOKENBOARD_FLUSH_MS: '50', TOKENBOARD_UPSTREAM_ANTHROPIC: up.url };
    const agent = await startAgent({ out: (l) => lines.push(l), err: (l) => lines.push(l), env }, { proxy: true, watch: true, scanMs: 100 });
    try {
      const res = await fetch(`${agent.proxy!.url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-secret' }, body: '{}' });
      t.is((await res.json()).id, 'msg_01Hq3v');
      // 14 events from the fixture logs + 1 proxied message
      const stats = await waitForStats(() => app.stats('gus'), (s) => s.events >= 15);
      t.is(stats.events, 15);
      // Several more scan and flush rounds change nothing.
      await new Promise((r) => setTimeout(r, 400));
      t.is((await app.stats('gus')).events, 15);
    } finally {
      await agent.stop();
    }
    const log = lines.join('\n');
    t.regex(log, /proxy listening on http:\/\/127\.0\.0\.1:\d+/);
    t.true(log.includes(`watching the logs of Claude Code (${join(h.home, '.claude', 'projects')}`), log);
    t.true(log.includes(`sending token counts to ${app.url} as user ${tok.user_id} every 50ms`), log);
    t.regex(log, /logs: 14 new events/);
    t.false(log.includes('sk-ant-secret'));
    t.false(log.includes(tok.token));
    t.false(log.includes(c.MARKER));
  } finally {
    await up.close();
    await app.stop();
  }
});

async function waitForStats<T>(get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await get();
    if (ok(v) || Date.now() - start > 20_000) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the start line names what is watched and where counts go, or that nothing is sent yet', (t) => {
  const home = '/home/kim';
  const cfg = loadConfig({ HOME: home, TOKENBOARD_SERVER: 'https://tb.example.com', TOKENBOARD_USER: '7', TOKENBOARD_TOKEN: 'tbk_x' }, home);
  const only = new Set([join(home, '.codex')]);
  const line = startLine(cfg, { watch: true }, (p) => only.has(p));
  t.true(line.startsWith(`watching the logs of Codex (${join(home, '.codex')}); not found: Claude Code, Gemini CLI, OpenCode, Cline, Roo Code, Kilo Code, VS Code Copilot Chat, Copilot CLI,`), line);
  t.regex(line, /not found: [^;]*Goose, Factory Droid, Kilo CLI, Hermes;/, 'every tool named, none by its config key');
  t.true(line.endsWith('; sending token counts to https://tb.example.com as user 7 every 3s'), line);
  t.false(line.includes('tbk_x'), 'never the token');
  const none = startLine(loadConfig({ HOME: home }, home), { watch: true }, () => false);
  t.is(none, 'watching for AI-tool logs (none found yet); sending nothing until you run `login` (events wait in the queue)');
  t.is(startLine(cfg, { watch: false }), 'sending token counts to https://tb.example.com as user 7 every 3s', '`proxy` watches no logs');
});
