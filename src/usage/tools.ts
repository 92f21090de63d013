// The tools behind usage, by source (DESIGN's trust table): what to call each one on a
// page and who measured its numbers, so every per-tool figure can say where it came from.
import { trustOf, type Trust } from '../ledger/rules.ts';

const LOCAL_LOGS = 'local log files, read by the agent';

const TOOLS: Record<string, { name: string; origin: string }> = {
  'anthropic-admin': { name: 'Anthropic API', origin: 'Anthropic Admin API usage report' },
  'openai-admin': { name: 'OpenAI API', origin: 'OpenAI Admin API usage report' },
  'cursor-admin': { name: 'Cursor', origin: 'Cursor Admin API (each request, with tokens)' },
  'github-copilot': { name: 'GitHub Copilot', origin: 'GitHub Copilot usage metrics (daily counts; tokens only for the CLI)' },
  proxy: { name: 'Local proxy', origin: 'provider responses seen by the local proxy' },
  otlp: { name: 'Telemetry (OTLP)', origin: 'the tools’ own OpenTelemetry export' },
  'claude-code': { name: 'Claude Code', origin: LOCAL_LOGS },
  codex: { name: 'Codex', origin: LOCAL_LOGS },
  'gemini-cli': { name: 'Gemini CLI', origin: LOCAL_LOGS },
  opencode: { name: 'OpenCode', origin: LOCAL_LOGS },
  'copilot-cli': { name: 'Copilot CLI (local)', origin: LOCAL_LOGS },
  'copilot-vscode': { name: 'Copilot Chat (local)', origin: LOCAL_LOGS },
  cline: { name: 'Cline', origin: LOCAL_LOGS },
  'roo-code': { name: 'Roo Code', origin: LOCAL_LOGS },
  'kilo-code': { name: 'Kilo Code', origin: LOCAL_LOGS },
  'kilo-cli': { name: 'Kilo CLI', origin: LOCAL_LOGS },
  goose: { name: 'Goose', origin: LOCAL_LOGS },
  amp: { name: 'Amp', origin: LOCAL_LOGS },
  droid: { name: 'Droid', origin: LOCAL_LOGS },
  'qwen-code': { name: 'Qwen Code', origin: LOCAL_LOGS },
  'kimi-cli': { name: 'Kimi CLI', origin: LOCAL_LOGS },
  pi: { name: 'Pi', origin: LOCAL_LOGS },
  openclaw: { name: 'OpenClaw', origin: LOCAL_LOGS },
  codebuff: { name: 'Codebuff', origin: LOCAL_LOGS },
  hermes: { name: 'Hermes', origin: LOCAL_LOGS },
  grok: { name: 'Grok CLI', origin: LOCAL_LOGS },
  antigravity: { name: 'Antigravity', origin: LOCAL_LOGS },
  zcode: { name: 'ZCode', origin: LOCAL_LOGS },
};

export interface ToolInfo { source: string; name: string; origin: string; trust: Trust }

export function toolInfo(source: string): ToolInfo {
  const t = TOOLS[source];
  return { source, name: t?.name ?? source, origin: t?.origin ?? (trustOf(source) === 'self-reported' ? LOCAL_LOGS : source), trust: trustOf(source) };
}
