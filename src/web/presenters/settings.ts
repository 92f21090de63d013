// The /settings page's fields: tokens (never their secrets, except the one just created),
// the agent set-up lines and the proxy lines per tool.
import type { TokenInfo } from '../../users/tokens.ts';
import type { Preferences } from '../../users/preferences.ts';
import { otelSetup } from '../../otlp/setup.ts';

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

export function setupLines(baseUrl: string, userId: number, token: string) {
  return {
    download: `curl -fsSL ${baseUrl}/agent/tokenboard-agent.mjs -o tokenboard-agent.mjs`,
    login: `node tokenboard-agent.mjs login --server ${baseUrl} --user ${userId} --token ${token}`,
    run: 'node tokenboard-agent.mjs run',
  };
}

const when = (d: Date | string | null) => (d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : null);

export function presentSettings(o: { baseUrl: string; userId: number; login: string; tokens: TokenInfo[]; prefs: Preferences; created?: { name: string; token: string } | null; notice?: string | null }) {
  return {
    base_url: o.baseUrl,
    login: o.login,
    agent_url: `${o.baseUrl}/agent/tokenboard-agent.mjs`,
    tokens: o.tokens.filter((t) => !t.revoked).map((t) => ({ id: t.id, name: t.name, created: when(t.created_at), last_used: when(t.last_used_at) })),
    revoked: o.tokens.filter((t) => t.revoked).length,
    created: o.created ? { name: o.created.name, token: o.created.token, ...setupLines(o.baseUrl, o.userId, o.created.token), telemetry: otelSetup(o.baseUrl, o.created.token) } : null,
    placeholder: setupLines(o.baseUrl, o.userId, 'TOKEN'),
    // The CLIs' own telemetry can report to the server directly, with a token too.
    telemetry: otelSetup(o.baseUrl, 'TOKEN'),
    prefs: o.prefs,
    proxy: proxyLines(),
    notice: o.notice ?? null,
    badge_url: `/u/${encodeURIComponent(o.login)}/badge.svg`,
    card_url: `/u/${encodeURIComponent(o.login)}/card.svg`,
  };
}
