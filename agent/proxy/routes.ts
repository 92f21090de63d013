// Which upstream a request goes to, and how its usage is read (DESIGN "Agent", proxy table).
// The prefixes /openai, /anthropic, /google and /ollama pick a provider explicitly; without
// one the path decides. Pure: no I/O, so the table is tested on its own.
import type { ExtractorKind } from './usage.ts';

export type Provider = 'openai' | 'anthropic' | 'google' | 'ollama';

export const DEFAULT_UPSTREAMS: Readonly<Record<Provider, string>> = {
  openai: 'https://api.openai.com',
  anthropic: 'https://api.anthropic.com',
  google: 'https://generativelanguage.googleapis.com',
  ollama: 'http://127.0.0.1:11434',
};

export const UPSTREAM_ENV: Readonly<Record<Provider, string>> = {
  openai: 'TOKENBOARD_UPSTREAM_OPENAI',
  anthropic: 'TOKENBOARD_UPSTREAM_ANTHROPIC',
  google: 'TOKENBOARD_UPSTREAM_GOOGLE',
  ollama: 'TOKENBOARD_UPSTREAM_OLLAMA',
};

const PREFIXES: readonly Provider[] = ['openai', 'anthropic', 'google', 'ollama'];

export interface Route {
  provider: Provider;
  /** Path and query to request upstream (the prefix removed, nothing else changed). */
  path: string;
  /** How to read usage, or null for requests that make no model response (model lists, token counts). */
  kind: ExtractorKind | null;
  /** Gemini names the model in the path; used when the response does not. */
  pathModel: string | null;
  isLocal: boolean;
}

const GEMINI_RE = /^\/v1(?:alpha|beta\d*)?\/(?:models|tunedModels)\/([^/:]+):(?:generateContent|streamGenerateContent)$/;

/** The usage reader for a path (without query), independent of the provider. */
export function kindOf(method: string, path: string): { kind: ExtractorKind | null; pathModel: string | null } {
  if (method !== 'POST') return { kind: null, pathModel: null };
  const g = GEMINI_RE.exec(path);
  if (g) return { kind: 'gemini', pathModel: safeDecode(g[1]) };
  // OpenAI-compatible surfaces also live under sub-paths (Gemini's /v1beta/openai/...).
  if (/\/chat\/completions$/.test(path) || /^\/v1\/(completions|embeddings)$/.test(path) || /\/openai\/(completions|embeddings)$/.test(path)) return { kind: 'openai-chat', pathModel: null };
  if (/^\/v1\/responses$/.test(path) || /\/openai\/responses$/.test(path)) return { kind: 'openai-responses', pathModel: null };
  if (path === '/v1/messages') return { kind: 'anthropic', pathModel: null };
  if (path === '/api/chat' || path === '/api/generate') return { kind: 'ollama', pathModel: null };
  return { kind: null, pathModel: null };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Route for a request target (`/v1/messages?beta=true`); null when no provider owns the path. */
export function routeOf(method: string, target: string, headers: Record<string, string | string[] | undefined>): Route | null {
  const q = target.indexOf('?');
  let path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  let provider: Provider | null = null;
  for (const p of PREFIXES) {
    if (path === `/${p}` || path.startsWith(`/${p}/`)) {
      provider = p;
      path = path.slice(p.length + 1) || '/';
      break;
    }
  }
  if (!provider) provider = providerOfPath(path, headers);
  if (!provider) return null;
  const { kind, pathModel } = kindOf(method, path);
  // /api/* is Ollama's own surface; another provider never answers it with usage.
  const usable = kind === 'ollama' && provider !== 'ollama' ? null : kind;
  return { provider, path: path + query, kind: usable, pathModel, isLocal: provider === 'ollama' };
}

function providerOfPath(path: string, headers: Record<string, string | string[] | undefined>): Provider | null {
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  if (/^\/v1(alpha|beta\d*)\//.test(path)) return 'google';
  if (path.startsWith('/api/')) return 'ollama';
  if (path.startsWith('/v1/')) {
    // Both OpenAI and Anthropic have /v1/models and friends; Anthropic clients always
    // send anthropic-version.
    return headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
  }
  return null;
}

export type Upstreams = Readonly<Record<Provider, string>>;

export function upstreamsFrom(env: Record<string, string | undefined>): Upstreams {
  const out = { ...DEFAULT_UPSTREAMS };
  for (const p of PREFIXES) {
    const v = env[UPSTREAM_ENV[p]];
    if (v) out[p] = v;
  }
  return out;
}

export interface Target {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** Raw path and query sent upstream: the base's own path (if any), then the request's, unnormalised. */
  path: string;
  host: string;
}

/** Where a route goes. String concatenation, not URL resolution, so the path stays verbatim. */
export function targetOf(base: string, routePath: string): Target {
  const b = new URL(base);
  if (b.protocol !== 'http:' && b.protocol !== 'https:') throw new Error(`upstream must be http(s), got ${b.protocol}`);
  const prefix = b.pathname.replace(/\/+$/, '');
  return {
    protocol: b.protocol,
    hostname: b.hostname.replace(/^\[|\]$/g, ''),
    port: b.port ? Number(b.port) : b.protocol === 'https:' ? 443 : 80,
    path: prefix + routePath,
    host: b.host,
  };
}
