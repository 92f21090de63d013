// Usage text for every command (`--help`).
export const HELP: Record<string, string> = {
  main: `tokenboard-agent: reads AI-coding token counts (never prompts, code or paths) and sends them to your TokenBoard.

Usage: node tokenboard-agent.mjs <command> [options]

Commands:
  login     save the server, user id and agent token (checks them with a signed ping)
  proxy     the local proxy alone on 127.0.0.1:4000 (its events are queued and sent)
  collect   one scan of local logs (Claude Code, Codex CLI, Gemini CLI, OpenCode, Cline, Roo Code,
            Kilo Code, VS Code Copilot Chat, Copilot CLI, Amp, Pi, OpenClaw, Kimi CLI, Qwen Code,
            Codebuff, Grok Build, Antigravity, ZCode, Goose, Factory Droid, Kilo CLI, Hermes)
  run       proxy + log watching + sending: the everyday mode
  status    server reachability, queue length, last send, per-source counts
  service   install|uninstall a login service (systemd user unit / launchd agent) running \`run\`

Run \`<command> --help\` for a command's options.`,
  login: `Usage: login --server URL --user ID --token TOKEN [--offline]

Checks the values with a signed ping, then writes ~/.config/tokenboard/agent.json (mode
0600; TOKENBOARD_AGENT_CONFIG overrides the path). The values come from your TokenBoard
settings page. Nothing is saved (exit 1) when the server refuses the token, is not a
TokenBoard, or cannot be reached.
  --offline   save even though the server cannot be reached now (the values stay
              unchecked; events wait in the queue). A server that answers no is still no.`,
  proxy: `Usage: proxy

Starts the local proxy on 127.0.0.1:$TOKENBOARD_PROXY_PORT (default 4000) and sends what it
measures. Point tools at it:
  ANTHROPIC_BASE_URL=http://127.0.0.1:4000          (Claude Code, Anthropic SDK)
  OPENAI_BASE_URL=http://127.0.0.1:4000/v1          (OpenAI SDK and compatible tools)
  http://127.0.0.1:4000/google, /ollama             (Gemini REST, Ollama)
Upstreams: TOKENBOARD_UPSTREAM_OPENAI, _ANTHROPIC, _GOOGLE, _OLLAMA.
Only requests addressed to 127.0.0.1 or localhost with this port pass, and none from a web
page (a browser's Origin header, CORS preflights) unless its origin is listed in
TOKENBOARD_PROXY_ALLOW_ORIGINS (comma-separated, e.g. http://localhost:5173).`,
  collect: `Usage: collect [--since YYYY-MM-DD] [--dry-run] [--json]

One scan of the local logs, newest first. Without --dry-run it queues and sends what it
found and exits once the server has taken it all (what could not be sent stays queued for
\`run\`): batches of up to 500 events, at most two on the wire at a time (one after a failed
answer), backing off on 429/503. --dry-run sends nothing and saves nothing; with --json it
prints exactly the events that would be sent, one JSON object per line. --since leaves
out older events (local midnight of that day).
Where each tool's logs are read (~ is the user profile folder on Windows; the *_DIR-style
variables take comma lists), * marking SQLite stores:
  Claude Code     ~/.claude/projects (CLAUDE_CONFIG_DIR)
  Codex CLI       ~/.codex/sessions, archived_sessions (CODEX_HOME)
  Gemini CLI      ~/.gemini/tmp (GEMINI_DIR, GEMINI_DATA_DIR)
  OpenCode        ~/.local/share/opencode: opencode*.db*, storage/message (OPENCODE_DATA_DIR)
  Cline           <User>[/profiles/*]/globalStorage/saoudrizwan.claude-dev/tasks/*/ui_messages.json,
                  ~/.cline/data/tasks and sessions/*/*.messages.json (CLINE_DIR, CLINE_DATA_DIR,
                  CLINE_SESSION_DATA_DIR); files rewritten every turn: each request counted once;
                  checkpoint restores and subagent batches included, their cost figure never sent
  Roo Code        <User>/globalStorage/rooveterinaryinc.roo-cline/tasks (roo-cline.customStoragePath),
                  ~/.vscode-mock/global-storage; model from the prompt's environment details
  Kilo Code       <User>/globalStorage/kilocode.kilo-code/tasks (kilo-code.customStoragePath)
  Copilot Chat    <User>/workspaceStorage/*/chatSessions/*.jsonl|json: only what VS Code keeps
                  (the last call's prompt/output of a request, reasoning, compaction calls)
  Copilot CLI     ~/.copilot/otel/*.jsonl + $COPILOT_OTEL_FILE_EXPORTER_PATH (COPILOT_HOME); needs
                  COPILOT_OTEL_ENABLED=true COPILOT_OTEL_EXPORTER_TYPE=file; chat spans only, never
                  the agent spans that repeat them
  Amp             ~/.local/share/amp/threads (AMP_DATA_DIR); ledger or message usage, never both
  Pi              ~/.pi/agent/sessions (PI_CODING_AGENT_DIR, PI_AGENT_DIR); forks counted once
  OpenClaw        ~/.openclaw/agents (+ .clawdbot, .moltbot, .moldbot, ~/.openclaw-<profile>;
                  OPENCLAW_STATE_DIR, OPENCLAW_DIR); rotated .jsonl.reset.* files; agent store*
  Kimi CLI        ~/.kimi/sessions/*/*/wire.jsonl (KIMI_SHARE_DIR, KIMI_DATA_DIR); per-step counts
  Qwen Code       ~/.qwen/projects/*/chats (QWEN_HOME, QWEN_RUNTIME_DIR, QWEN_DATA_DIR); cached
                  tokens taken out of promptTokenCount
  Codebuff        ~/.config/manicode{,-dev,-staging}/projects (CODEBUFF_DATA_DIR)
  Grok Build      ~/.grok/sessions/**/updates.jsonl (GROK_HOME); one event per turn and model
  Antigravity     ~/.gemini/antigravity*/conversations/*.db* (GEMINI_CLI_HOME, ANTIGRAVITY_DATA_DIR)
  ZCode           ~/.zcode/cli/db/db.sqlite* (ZCODE_HOME)
  Goose           ~/.local/share/goose/sessions: sessions.db*, legacy *.jsonl; GOOSE_PATH_ROOT
                  (<root>/data/sessions); Windows %APPDATA%\\Block\\goose\\data\\sessions.
                  Running totals per session: one event per increase.
  Factory Droid   ~/.factory/sessions/**/*.settings.json (DROID_SESSIONS_DIR).
                  Running totals per session, rewritten whole; an archived older copy counts once.
  Kilo CLI        ~/.local/share/kilo/kilo.db* (or $XDG_DATA_HOME/kilo; KILO_DATA_DIR).
                  OpenCode's store format: unfinished answers wait until they finish.
  Hermes          ~/.hermes/state.db* (Windows also %LOCALAPPDATA%\\hermes; HERMES_HOME).
                  Running totals per session.
<User> is a VS Code-family editor's user dir (VS Code, Insiders, VSCodium, Cursor, Windsurf):
~/.config/<Editor>/User (Linux, $XDG_CONFIG_HOME), ~/Library/Application Support/<Editor>/User
(macOS), %APPDATA%\\<Editor>\\User (Windows), ~/.vscode-server/data/User and the forks' remote
servers; VSCODE_APPDATA, VSCODE_PORTABLE and VSCODE_AGENT_FOLDER as VS Code honours them.
* SQLite stores need node:sqlite (Node 22.5 or newer); on an older Node the tools whose store
  is present are named once and skipped.`,
  run: `Usage: run

The proxy, a scan of the local logs every 10 seconds, and sending every
$TOKENBOARD_FLUSH_MS ms (default 3000). Stop with Ctrl-C; nothing queued is lost.`,
  status: `Usage: status [--json]

Checks the server with a signed ping and shows the queue, the last send, counts per source,
events the server refused, why sending stopped (if it did), and the tools whose SQLite
store this Node cannot read.`,
  service: `Usage: service install|uninstall

Installs (or removes) a per-user service that runs \`run\` at login: a systemd user unit on
Linux, a launchd agent on macOS.`,
};
