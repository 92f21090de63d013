// The /settings page's fields: tokens (never their secrets, except the one just created),
// the agent set-up block, the proxy lines per tool, and the badge embed beside its opt-in.
import type { TokenInfo } from '../../users/tokens.ts';
import type { Preferences } from '../../users/preferences.ts';
import { otelSetup } from '../../otlp/setup.ts';
import type { FieldError } from '../pages/admin/common.ts';
import { badgeEmbed } from './badge-embed.ts';

export const PROXY_PORT = 4000;

/** The lines that point each tool at the agent's local proxy (DESIGN "Pages", /settings). */
export function proxyLines(port = PROXY_PORT) {
  const base = `http://127.0.0.1:${port}`;
  return [
    { tool: 'Claude Code', line: `export ANTHROPIC_BASE_URL=${base}` },
    { tool: 'Codex CLI', line: `export OPENAI_BASE_URL=${base}/v1` },
    { tool: 'OpenAI SDKs', line: `export OPENAI_BASE_URL=${base}/v1` },
    { tool: 'Anthropic SDKs', line: `export ANTHROPIC_BASE_URL=${base}` },
    { tool: 'Gemini CLI', line: `export GOOGLE_GEMINI_BASE_URL=${base}` },
    { tool: 'Ollama clients', line: `export OLLAMA_HOST=${base}` },
  ];
}

/**
 * The agent's set-up, in the order it is run: download, log in (checks the token), one
 * `collect` (sends the history already in the tools' logs, so the profile fills at once),
 * then a login service that keeps `run` going. `run` alone is the no-service alternative.
 */
export function setupLines(baseUrl: string, userId: number, token: string) {
  const agent = 'node tokenboard-agent.mjs';
  return {
    download: `curl -fsSL ${baseUrl}/agent/tokenboard-agent.mjs -o tokenboard-agent.mjs`,
    login: `${agent} login --server ${baseUrl} --user ${userId} --token ${token}`,
    collect: `${agent} collect`,
    service: `${agent} service install`,
    run: `${agent} run`,
  };
}

/** The set-up block as one text to copy. */
export function setupBlock(lines: ReturnType<typeof setupLines>): string {
  return [lines.download, lines.login, lines.collect, lines.service].join('\n');
}

const when = (d: Date | string | null) => (d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : null);

export interface SettingsInput {
  baseUrl: string;
  userId: number;
  login: string;
  tokens: TokenInfo[];
  prefs: Preferences;
  /** The token just created: shown this once. */
  created?: { name: string; token: string } | null;
  notice?: string | null;
  /** A refused token name, with what was typed. */
  tokenError?: FieldError | null;
  tokenDraft?: string;
}

export function presentSettings(o: SettingsInput) {
  const created = o.created ? setupLines(o.baseUrl, o.userId, o.created.token) : null;
  const placeholder = setupLines(o.baseUrl, o.userId, 'TOKEN');
  return {
    base_url: o.baseUrl,
    login: o.login,
    agent_url: `${o.baseUrl}/agent/tokenboard-agent.mjs`,
    tokens: o.tokens.filter((t) => !t.revoked).map((t) => ({ id: t.id, name: t.name, created: when(t.created_at), last_used: when(t.last_used_at) })),
    revoked: o.tokens.filter((t) => t.revoked).length,
    // One block either way: filled in right after a token is made, else with TOKEN to replace.
    setup: {
      filled: created !== null,
      name: o.created?.name ?? null,
      token: o.created?.token ?? null,
      block: setupBlock(created ?? placeholder),
      run: (created ?? placeholder).run,
    },
    // The CLIs' own telemetry can report to the server directly, with a token too.
    telemetry: otelSetup(o.baseUrl, o.created?.token ?? 'TOKEN'),
    prefs: o.prefs,
    proxy: proxyLines(),
    notice: o.notice ?? null,
    token_error: o.tokenError ?? null,
    token_draft: o.tokenDraft ?? '',
    embed: badgeEmbed(o.baseUrl, o.login),
  };
}
