// `service install|uninstall`: start `run` at login (systemd user unit / launchd agent).
import { childProcessModule } from '../lazy.ts';
import { existsSync, mkdirSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError, type Io } from './common.ts';

const UNIT = 'tokenboard-agent.service';
const LABEL = 'dev.tokenboard.agent';
/** Settings worth carrying into the service's environment (never the token: it is in the config file). */
const CARRY = ['TOKENBOARD_AGENT_CONFIG', 'TOKENBOARD_STATE_DIR', 'TOKENBOARD_PROXY_PORT', 'TOKENBOARD_FLUSH_MS', 'TOKENBOARD_UPSTREAM_OPENAI', 'TOKENBOARD_UPSTREAM_ANTHROPIC', 'TOKENBOARD_UPSTREAM_GOOGLE', 'TOKENBOARD_UPSTREAM_OLLAMA', 'CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'GEMINI_DIR', 'GEMINI_DATA_DIR', 'OPENCODE_DATA_DIR'];

function quoteSystemd(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function tryRun(io: Io, cmd: string, args: string[]): boolean {
  try {
    childProcessModule().execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    io.err(`could not run \`${cmd} ${args.join(' ')}\`; run it yourself`);
    return false;
  }
}

export function service(io: Io, action: string | undefined, home = homedir()): number {
  if (action !== 'install' && action !== 'uninstall') throw new UsageError('service needs install or uninstall');
  const script = realpathSync(process.argv[1]);
  const env = CARRY.filter((k) => io.env[k]).map((k) => [k, io.env[k]!] as const);
  if (process.platform === 'darwin') {
    const path = join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`);
    if (action === 'uninstall') {
      tryRun(io, 'launchctl', ['unload', '-w', path]);
      if (existsSync(path)) unlinkSync(path);
      io.out(`removed ${path}`);
      return 0;
    }
    mkdirSync(join(home, 'Library', 'LaunchAgents'), { recursive: true });
    writeFileSync(path, `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>Label</key><string>${LABEL}</string>
  <key>ProgramArguments</key><array><string>${xml(process.execPath)}</string><string>${xml(script)}</string><string>run</string></array>
  <key>EnvironmentVariables</key><dict>${env.map(([k, v]) => `<key>${k}</key><string>${xml(v)}</string>`).join('')}</dict>
  <key>RunAtLoad</key><true/><key>KeepAlive</key><true/>
</dict></plist>
`);
    tryRun(io, 'launchctl', ['load', '-w', path]);
    io.out(`installed ${path}`);
    return 0;
  }
  const dir = join(io.env.XDG_CONFIG_HOME || join(home, '.config'), 'systemd', 'user');
  const path = join(dir, UNIT);
  if (action === 'uninstall') {
    tryRun(io, 'systemctl', ['--user', 'disable', '--now', UNIT]);
    if (existsSync(path)) unlinkSync(path);
    io.out(`removed ${path}`);
    return 0;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, `[Unit]
Description=TokenBoard agent (token counts from local AI tools)

[Service]
ExecStart=${quoteSystemd(process.execPath)} ${quoteSystemd(script)} run
${env.map(([k, v]) => `Environment=${quoteSystemd(`${k}=${v}`)}`).join('\n')}
Restart=on-failure

[Install]
WantedBy=default.target
`);
  if (tryRun(io, 'systemctl', ['--user', 'daemon-reload'])) tryRun(io, 'systemctl', ['--user', 'enable', '--now', UNIT]);
  io.out(`installed ${path}`);
  return 0;
}
