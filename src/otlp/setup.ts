// The exact lines a person adds to point each CLI's own telemetry at TokenBoard (shown on
// /settings). Claude Code and Codex send the agent token as a Bearer header; Gemini CLI
// cannot set headers, so its endpoint carries the token in the path (/otlp/<token>).
export interface ToolSetup {
  tool: string;
  file: string;
  lines: string[];
}

export function otelSetup(serverUrl: string, token: string): ToolSetup[] {
  const base = serverUrl.replace(/\/+$/, '');
  return [
    {
      tool: 'Claude Code',
      file: 'shell profile or ~/.claude/settings.json "env"',
      lines: [
        'export CLAUDE_CODE_ENABLE_TELEMETRY=1',
        'export OTEL_METRICS_EXPORTER=otlp',
        'export OTEL_LOGS_EXPORTER=otlp',
        'export OTEL_EXPORTER_OTLP_PROTOCOL=http/json',
        `export OTEL_EXPORTER_OTLP_ENDPOINT=${base}`,
        `export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${token}"`,
      ],
    },
    {
      tool: 'Codex CLI',
      file: '~/.codex/config.toml',
      lines: [
        '[otel]',
        'log_user_prompt = false',
        `exporter = { otlp-http = { endpoint = "${base}/v1/logs", protocol = "json", headers = { "Authorization" = "Bearer ${token}" } } }`,
      ],
    },
    {
      tool: 'Gemini CLI',
      file: 'shell profile',
      lines: [
        'export GEMINI_TELEMETRY_ENABLED=true',
        'export GEMINI_TELEMETRY_TARGET=local',
        'export GEMINI_TELEMETRY_OTLP_PROTOCOL=http',
        'export GEMINI_TELEMETRY_LOG_PROMPTS=false',
        `export GEMINI_TELEMETRY_OTLP_ENDPOINT=${base}/otlp/${token}`,
      ],
    },
  ];
}
