// Configuration: config.toml (TOKENBOARD_CONFIG or --config) + TOKENBOARD_<SECTION>_<KEY>
// environment overrides (+ PORT). Every key is declared once in SCHEMA with its default;
// config.example.toml documents the same keys (a test keeps the two in step). All problems
// are collected and reported together, one line each, naming the key and the fix.
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';

type Kind = 'string' | 'port' | 'url' | 'list' | 'timezone' | 'int';

interface KeySpec {
  kind: Kind;
  default: string | number | string[];
  hint?: string;
  /** Extra check for a value of the right kind; returns the fix to suggest, or null. */
  check?: (v: never) => string | null;
}

const SCHEMA = {
  server: {
    host: { kind: 'string', default: '0.0.0.0' },
    port: { kind: 'port', default: 8080 },
    data_dir: { kind: 'string', default: './data' },
    base_url: { kind: 'url', default: '' },
    secret_key: {
      kind: 'string', default: '',
      check: (v: string) => (v !== '' && v.length < 32 ? 'use at least 32 characters (e.g. `openssl rand -hex 32`), or leave it empty to have one generated' : null),
    },
    metrics_token: {
      kind: 'string', default: '',
      check: (v: string) => (v !== '' && v.length < 16 ? 'use at least 16 characters, or leave it empty to keep /metrics open' : null),
    },
  },
  database: {
    url: {
      kind: 'string', default: '',
      check: (v: string) => (v === '' || /^(postgres|postgresql):\/\/[^/]+\/[^/?]+/.test(v) || /^sqlite:./.test(v) ? null : 'leave it empty for the SQLite file in the data dir, or give a postgres://user:pass@host:5432/dbname URL'),
    },
  },
  org: {
    name: { kind: 'string', default: 'TokenBoard' },
    timezone: { kind: 'timezone', default: 'UTC' },
  },
  providers: {
    anthropic_api_url: { kind: 'url', default: 'https://api.anthropic.com' },
    openai_api_url: { kind: 'url', default: 'https://api.openai.com' },
  },
  imports: {
    sync_days: {
      kind: 'int', default: 3,
      check: (v: number) => (v < 0 || v > 31 ? 'use 0 (no daily sync) to 31 days' : null),
    },
  },
  jobs: {
    lease_seconds: {
      kind: 'int', default: 60,
      check: (v: number) => (v < 1 || v > 3600 ? 'use 1 to 3600 seconds' : null),
    },
  },
  github: {
    client_id: { kind: 'string', default: '' },
    client_secret: { kind: 'string', default: '' },
    org: { kind: 'string', default: '' },
    web_url: { kind: 'url', default: 'https://github.com' },
    api_url: { kind: 'url', default: 'https://api.github.com' },
    callback_url: { kind: 'url', default: '' },
  },
  auth: {
    admins: { kind: 'list', default: [] },
    managers: { kind: 'list', default: [] },
    manager_teams: { kind: 'list', default: [] },
  },
} satisfies Record<string, Record<string, KeySpec>>;

type Schema = typeof SCHEMA;
type ValueOf<K extends Kind> = K extends 'port' | 'int' ? number : K extends 'list' ? string[] : string;
export type Config = {
  readonly [S in keyof Schema]: { readonly [K in keyof Schema[S]]: Schema[S][K] extends { kind: infer T extends Kind } ? ValueOf<T> : never };
} & { readonly source: string | null };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export function configKeys(): string[] {
  return Object.entries(SCHEMA).flatMap(([s, keys]) => Object.keys(keys).map((k) => `${s}.${k}`));
}

export interface LoadOptions {
  /** Path given with --config; otherwise TOKENBOARD_CONFIG; otherwise no file. */
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Values set by the caller (tests), applied after the file and before the environment. */
  overrides?: Record<string, unknown>;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  const file = opts.file ?? (env.TOKENBOARD_CONFIG || null);
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = parseToml(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') problems.push(`config: file ${file} does not exist; fix the path in --config / TOKENBOARD_CONFIG`);
      else problems.push(`config: ${file} is not valid TOML: ${String(e.message).split('\n')[0]}`);
      throw new ConfigError(problems);
    }
  }
  for (const [section, value] of Object.entries(fromFile)) {
    if (!(section in SCHEMA)) {
      problems.push(`${section}: unknown section in ${file}; known sections: ${Object.keys(SCHEMA).join(', ')}`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${section}: must be a [${section}] table`);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!(key in (SCHEMA as Record<string, object>)[section])) problems.push(`${section}.${key}: unknown key; see config.example.toml for the keys of [${section}]`);
    }
  }

  const out: Record<string, Record<string, unknown>> = {};
  for (const [section, keys] of Object.entries(SCHEMA) as [string, Record<string, KeySpec>][]) {
    out[section] = {};
    for (const [key, spec] of Object.entries(keys)) {
      const name = `${section}.${key}`;
      const envName = `TOKENBOARD_${section.toUpperCase()}_${key.toUpperCase()}`;
      let raw: unknown = spec.default;
      let origin = 'default';
      const fileSection = fromFile[section] as Record<string, unknown> | undefined;
      if (fileSection && typeof fileSection === 'object' && key in fileSection) { raw = fileSection[key]; origin = 'file'; }
      if (opts.overrides && name in opts.overrides) { raw = opts.overrides[name]; origin = 'override'; }
      if (name === 'server.port' && env.PORT !== undefined && env.PORT !== '') { raw = env.PORT; origin = 'env'; }
      if (env[envName] !== undefined) { raw = env[envName]; origin = 'env'; }
      const where = origin === 'env' ? ` (from ${envName})` : '';
      const result = coerce(spec, raw, origin === 'env');
      if (typeof result === 'object' && result !== null && 'problem' in result) {
        problems.push(`${name}${where}: ${result.problem}`);
        continue;
      }
      if (spec.check) {
        const fix = (spec.check as (v: unknown) => string | null)(result);
        if (fix) { problems.push(`${name}${where}: ${fix}`); continue; }
      }
      out[section][key] = result;
    }
  }
  const gh = out.github;
  if (gh && (gh.client_id || gh.client_secret) && !(gh.client_id && gh.client_secret)) {
    problems.push('github.client_id / github.client_secret: set both (from your GitHub OAuth app) or neither (local mode)');
  }
  if (gh && gh.client_id && !gh.org) {
    problems.push('github.org: required when a GitHub app is configured; set it to the organization whose members may sign in');
  }
  if (problems.length) throw new ConfigError(problems);
  const cfg = { ...out, source: file } as unknown as Config;
  return deepFreeze(cfg);
}

function coerce(spec: KeySpec, raw: unknown, fromEnv: boolean): unknown {
  switch (spec.kind) {
    case 'string':
      if (typeof raw !== 'string') return { problem: `must be a string, got ${describe(raw)}` };
      return raw;
    case 'port':
    case 'int': {
      const n = typeof raw === 'string' && fromEnv ? Number(raw.trim()) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n)) return { problem: `must be a whole number, got ${describe(raw)}` };
      if (spec.kind === 'port' && (n < 0 || n > 65535)) return { problem: `must be a port number between 1 and 65535 (0 picks a free one), got ${n}` };
      return n;
    }
    case 'url': {
      if (typeof raw !== 'string') return { problem: `must be a URL string, got ${describe(raw)}` };
      if (raw === '') return raw;
      try {
        const u = new URL(raw);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') return { problem: `must start with http:// or https://, got "${raw}"` };
      } catch {
        return { problem: `must be a full URL such as https://tokenboard.example.com, got "${raw}"` };
      }
      return raw.replace(/\/+$/, '');
    }
    case 'list': {
      if (fromEnv && typeof raw === 'string') return raw.split(',').map((s) => s.trim()).filter(Boolean);
      if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) return { problem: `must be a list of strings such as ["alice", "bob"], got ${describe(raw)}` };
      return raw.map((s: string) => s.trim()).filter(Boolean);
    }
    case 'timezone': {
      if (typeof raw !== 'string' || !isTimeZone(raw)) return { problem: `must be an IANA time zone such as "UTC" or "Europe/Berlin", got ${describe(raw)}` };
      return raw;
    }
  }
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  if (Array.isArray(v)) return 'a list';
  return v === null ? 'null' : typeof v === 'object' ? 'a table' : `${typeof v} ${String(v)}`;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** True when a GitHub OAuth app is configured; otherwise the server runs in local mode. */
export function githubConfigured(cfg: Config): boolean {
  return cfg.github.client_id !== '' && cfg.github.client_secret !== '';
}
