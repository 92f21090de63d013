// The agent's settings: the login file (server, user id, token) plus the environment.
// Read once at start-up into a frozen object that is passed down; nothing else reads
// process.env (DESIGN "Agent": TOKENBOARD_* variables and the log-location overrides).
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { upstreamsFrom, type Upstreams } from './proxy/routes.ts';
import { allowedOrigins } from './proxy/guard.ts';
import { pathList, xdgData } from './collectors/locations.ts';
import { clineRoots, type ClineRoots } from './collectors/cline.ts';
import { rooCodeRoots } from './collectors/roo-code.ts';
import { kiloCodeRoots } from './collectors/kilo-code.ts';
import { copilotVscodeRoots } from './collectors/copilot-vscode.ts';
import type { EditorRoots } from './collectors/vscode-dirs.ts';
import { copilotRoots } from './collectors/copilot-cli.ts';
import { ampRoots } from './collectors/amp.ts';
import { piRoots } from './collectors/pi.ts';
import { openclawRoots } from './collectors/openclaw.ts';
import { kimiRoots } from './collectors/kimi-cli.ts';
import { qwenRoots } from './collectors/qwen-code.ts';
import { codebuffRoots } from './collectors/codebuff.ts';
import { grokRoots } from './collectors/grok.ts';
import { antigravityRoots } from './collectors/antigravity.ts';
import { zcodeRoots } from './collectors/zcode.ts';
import { gooseRoots } from './collectors/goose.ts';
import { droidRoots } from './collectors/droid.ts';
import { kiloCliRoots } from './collectors/kilo-cli.ts';
import { hermesRoots } from './collectors/hermes.ts';

export type Env = Record<string, string | undefined>;

export interface Login {
  server: string;
  user: number;
  token: string;
}

export interface LogRoots {
  /** Claude Code `projects/` directories. */
  claude: string[];
  /** Codex homes (each holding sessions/ and archived_sessions/). */
  codex: string[];
  /** Gemini CLI `tmp/` directories (holding <projectHash>/chats/). */
  gemini: string[];
  /** OpenCode data directories (holding storage/ and opencode*.db). */
  opencode: string[];
  /** VS Code-family editors' user dirs and each tool's own folders (agent/collectors/vscode-dirs.ts). */
  cline: ClineRoots;
  rooCode: EditorRoots;
  kiloCode: EditorRoots;
  copilotVscode: EditorRoots;
  /** Copilot CLI OTel export folders (and the export file itself, when named). */
  copilot: string[];
  /** Amp data dirs (holding threads/). */
  amp: string[];
  /** Pi sessions dirs. */
  pi: string[];
  /** OpenClaw state dirs (holding agents/). */
  openclaw: string[];
  /** Kimi CLI share dirs (holding sessions/); Qwen Code data dirs (holding projects/); Codebuff channel roots; */
  kimi: string[];
  qwen: string[];
  codebuff: string[];
  /** Grok Build, Antigravity and ZCode homes. */
  grok: string[];
  antigravity: string[];
  zcode: string[];
  /** Goose session directories (sessions.db and legacy *.jsonl). */
  goose: string[];
  /** Factory Droid session directories (each session a *.settings.json, in project folders). */
  droid: string[];
  /** Kilo CLI data directories (kilo*.db, storage/). */
  kiloCli: string[];
  /** Hermes homes (state.db). */
  hermes: string[];
}

export interface AgentConfig {
  configPath: string;
  /** Null until `login` ran (or the TOKENBOARD_SERVER/USER/TOKEN variables are all set). */
  login: Login | null;
  /** Problems with the login settings, each naming the setting and how to fix it. */
  loginProblems: string[];
  stateDir: string;
  proxyPort: number;
  flushMs: number;
  upstreams: Upstreams;
  /** Browser origins allowed to use the proxy (TOKENBOARD_PROXY_ALLOW_ORIGINS). */
  proxyAllowOrigins: ReadonlySet<string>;
  logRoots: LogRoots;
}

function intSetting(env: Env, key: string, dflt: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${key}=${raw} is not a whole number between ${min} and ${max}`);
  return n;
}

export function logRootsFrom(env: Env, home: string): LogRoots {
  const xdgConfig = env.XDG_CONFIG_HOME || join(home, '.config');
  const data = xdgData(env, home);
  // CLAUDE_CONFIG_DIR names the config dir holding projects/ (a comma list and the
  // projects/ dir itself are accepted too, as ccusage does).
  const claudeDirs = pathList(env.CLAUDE_CONFIG_DIR);
  const claude = claudeDirs.length
    ? claudeDirs.map((d) => (/[\\/]projects[\\/]?$/.test(d) ? d : join(d, 'projects')))
    : [join(home, '.claude', 'projects'), join(xdgConfig, 'claude', 'projects')];
  const codex = pathList(env.CODEX_HOME);
  const gemini = env.GEMINI_DATA_DIR ? pathList(env.GEMINI_DATA_DIR) : env.GEMINI_DIR ? pathList(env.GEMINI_DIR).map((d) => join(d, 'tmp')) : [join(home, '.gemini', 'tmp')];
  const opencode = pathList(env.OPENCODE_DATA_DIR);
  return {
    claude,
    codex: codex.length ? codex : [join(home, '.codex')],
    gemini,
    opencode: opencode.length ? opencode : [join(data, 'opencode')],
    cline: clineRoots(env, home),
    rooCode: rooCodeRoots(env, home),
    kiloCode: kiloCodeRoots(env, home),
    copilotVscode: copilotVscodeRoots(env, home),
    copilot: copilotRoots(env, home), amp: ampRoots(env, home), pi: piRoots(env, home), openclaw: openclawRoots(env, home),
    kimi: kimiRoots(env, home), qwen: qwenRoots(env, home), codebuff: codebuffRoots(env, home),
    grok: grokRoots(env, home), antigravity: antigravityRoots(env, home), zcode: zcodeRoots(env, home),
    goose: gooseRoots(env, home),
    droid: droidRoots(env, home),
    kiloCli: kiloCliRoots(env, home),
    hermes: hermesRoots(env, home),
  };
}

export function defaultConfigPath(env: Env, home = env.HOME || homedir()): string {
  return env.TOKENBOARD_AGENT_CONFIG || join(env.XDG_CONFIG_HOME || join(home, '.config'), 'tokenboard', 'agent.json');
}

function readLoginFile(path: string): Partial<Record<keyof Login, unknown>> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<Record<keyof Login, unknown>>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${path} is not readable JSON (${(err as Error).message}); run \`login\` again to rewrite it`);
  }
}

export function loadConfig(env: Env = process.env, home = env.HOME || homedir()): AgentConfig {
  const configPath = defaultConfigPath(env, home);
  const file = readLoginFile(configPath);
  const server = env.TOKENBOARD_SERVER || (typeof file.server === 'string' ? file.server : '');
  const userRaw = env.TOKENBOARD_USER || (file.user !== undefined ? String(file.user) : '');
  const token = env.TOKENBOARD_TOKEN || (typeof file.token === 'string' ? file.token : '');
  const loginProblems: string[] = [];
  if (!server) loginProblems.push('no server: run `login --server URL --user ID --token TOKEN` or set TOKENBOARD_SERVER');
  else if (!/^https?:\/\/[^/]/.test(server)) loginProblems.push(`server "${server}" must start with http:// or https://`);
  if (!userRaw) loginProblems.push('no user id: run `login` or set TOKENBOARD_USER');
  else if (!/^[1-9][0-9]{0,15}$/.test(userRaw)) loginProblems.push('the user id must be a positive whole number (the one shown with your token)');
  if (!token) loginProblems.push('no agent token: run `login` or set TOKENBOARD_TOKEN');
  const login = loginProblems.length ? null : { server: server.replace(/\/+$/, ''), user: Number(userRaw), token };
  const stateDir = env.TOKENBOARD_STATE_DIR || join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'tokenboard');
  return Object.freeze({
    configPath, login, loginProblems, stateDir,
    proxyPort: intSetting(env, 'TOKENBOARD_PROXY_PORT', 4000, 0, 65535),
    flushMs: intSetting(env, 'TOKENBOARD_FLUSH_MS', 3000, 10, 3_600_000),
    upstreams: upstreamsFrom(env),
    proxyAllowOrigins: allowedOrigins(env.TOKENBOARD_PROXY_ALLOW_ORIGINS),
    logRoots: logRootsFrom(env, home),
  });
}

/** Writes the login file with mode 0600 (it holds the token), atomically. */
export function writeLogin(path: string, login: Login): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
