// Usage text for every command (`--help`).
export const HELP: Record<string, string> = {
  main: `tokenboard-agent: reads AI-coding token counts (never prompts, code or paths) and sends them to your TokenBoard.

Usage: node tokenboard-agent.mjs <command> [options]

Commands:
  login     save the server, user id and agent token (checks them with a signed ping)
  proxy     the local proxy alone on 127.0.0.1:4000 (its events are queued and sent)
  collect   one scan of local logs (Claude Code, Codex CLI, Gemini CLI, OpenCode,
            Goose, Factory Droid, Kilo CLI, Hermes)
  run       proxy + log watching + sending: the everyday mode
  status    server reachability, queue length, last send, per-source counts
  service   install|uninstall a login service (systemd user unit / launchd agent) running \`run\`

Run \`<command> --help\` for a command's options.`,
  login: `Usage: login --server URL --user ID --token TOKEN

Writes ~/.config/tokenboard/agent.json (mode 0600; TOKENBOARD_AGENT_CONFIG overrides the
path) after checking the values with a signed ping. The values come from your TokenBoard
settings page.`,
  proxy: `Usage: proxy

Starts the local proxy on 127.0.0.1:$TOKENBOARD_PROXY_PORT (default 4000) and sends what it
measures. Point tools at it:
  ANTHROPIC_BASE_URL=http://127.0.0.1:4000          (Claude Code, Anthropic SDK)
  OPENAI_BASE_URL=http://127.0.0.1:4000/v1          (OpenAI SDK and compatible tools)
  http://127.0.0.1:4000/google, /ollama             (Gemini REST, Ollama)
Upstreams: TOKENBOARD_UPSTREAM_OPENAI, _ANTHROPIC, _GOOGLE, _OLLAMA.`,
  collect: `Usage: collect [--since YYYY-MM-DD] [--dry-run] [--json]

One scan of the local logs, newest first. Without --dry-run it queues and sends what it
found and exits once the server has taken it all (what could not be sent stays queued for
\`run\`). --dry-run sends nothing and saves nothing; with --json it prints exactly the
events that would be sent, one JSON object per line. --since leaves out older events
(local midnight of that day).
Log locations: CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_DIR (or GEMINI_DATA_DIR), OPENCODE_DATA_DIR.
  Goose          ~/.local/share/goose/sessions (sessions.db, legacy *.jsonl); GOOSE_PATH_ROOT
                 (<root>/data/sessions); Windows %APPDATA%\\Block\\goose\\data\\sessions.
                 Running totals per session: one event per increase.
  Factory Droid  ~/.factory/sessions/**/*.settings.json; DROID_SESSIONS_DIR (comma list).
                 Running totals per session, rewritten whole; an archived older copy counts once.
  Kilo CLI       ~/.local/share/kilo/kilo.db (or $XDG_DATA_HOME/kilo); KILO_DATA_DIR.
                 OpenCode's store format: unfinished answers wait until they finish.
  Hermes         ~/.hermes/state.db (Windows also %LOCALAPPDATA%\\hermes); HERMES_HOME.
                 Running totals per session.
  SQLite stores (OpenCode's newer one, Goose, Kilo CLI, Hermes) need Node 22.5 or newer
  (node:sqlite); on an older Node they are named once and skipped.`,
  run: `Usage: run

The proxy, a scan of the local logs every 10 seconds, and sending every
$TOKENBOARD_FLUSH_MS ms (default 3000). Stop with Ctrl-C; nothing queued is lost.`,
  status: `Usage: status [--json]

Checks the server with a signed ping and shows the queue, the last send, counts per source,
events the server refused, and why sending stopped (if it did).`,
  service: `Usage: service install|uninstall

Installs (or removes) a per-user service that runs \`run\` at login: a systemd user unit on
Linux, a launchd agent on macOS.`,
};
