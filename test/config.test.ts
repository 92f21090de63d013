// Configuration: defaults, file, environment overrides, and clear errors.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { ConfigError, configKeys, loadConfig } from '../src/config.ts';
import { ROOT } from '../src/paths.ts';
import { tempDir } from './helpers/app.ts';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

test('defaults work with nothing configured', (t) => {
  const cfg = loadConfig({ env: {} });
  t.is(cfg.server.port, 8080);
  t.is(cfg.server.host, '0.0.0.0');
  t.is(cfg.server.data_dir, './data');
  t.is(cfg.database.url, '');
  t.is(cfg.org.timezone, 'UTC');
  t.is(cfg.github.api_url, 'https://api.github.com');
  t.deepEqual(cfg.auth.admins, []);
  t.true(Object.isFrozen(cfg.server));
});

test('config.example.toml documents every key with its default, and nothing else', (t) => {
  const example = parse(readFileSync(join(ROOT, 'config.example.toml'), 'utf8')) as Record<string, Record<string, unknown>>;
  const documented = Object.entries(example).flatMap(([s, keys]) => Object.keys(keys).map((k) => `${s}.${k}`));
  t.deepEqual(documented.sort(), configKeys().sort());
  const defaults = loadConfig({ env: {} }) as unknown as Record<string, Record<string, unknown>>;
  for (const [s, keys] of Object.entries(example)) for (const [k, v] of Object.entries(keys)) t.deepEqual(defaults[s][k], v, `${s}.${k}`);
  const text = readFileSync(join(ROOT, 'config.example.toml'), 'utf8');
  const lines = text.split('\n');
  for (const key of configKeys()) {
    const name = key.split('.')[1];
    let i = lines.findIndex((l) => l.startsWith(`${name} =`));
    let commented = false;
    // A key is documented by the comment block it sits in (a few keys share one).
    while (--i >= 0 && lines[i].trim() !== '' && !lines[i].startsWith('[')) if (lines[i].startsWith('#')) commented = true;
    t.true(commented, `${key} has a comment`);
  }
});

test('a TOML file, then TOKENBOARD_<SECTION>_<KEY> and PORT override', (t) => {
  const dir = tempDir();
  const file = join(dir, 'config.toml');
  writeFileSync(file, '[server]\nport = 9001\ndata_dir = "/srv/tb"\n[auth]\nadmins = ["alice"]\n[org]\ntimezone = "Europe/Berlin"\n');
  const fromFile = loadConfig({ file, env: {} });
  t.is(fromFile.server.port, 9001);
  t.is(fromFile.server.data_dir, '/srv/tb');
  t.deepEqual(fromFile.auth.admins, ['alice']);
  t.is(fromFile.org.timezone, 'Europe/Berlin');
  t.is(fromFile.source, file);
  const env = loadConfig({ env: { TOKENBOARD_CONFIG: file, TOKENBOARD_SERVER_PORT: '9000', TOKENBOARD_SERVER_DATA_DIR: '/tmp/x', TOKENBOARD_AUTH_MANAGERS: 'bob, carol' } });
  t.is(env.server.port, 9000);
  t.is(env.server.data_dir, '/tmp/x');
  t.deepEqual(env.auth.managers, ['bob', 'carol']);
  t.is(loadConfig({ env: { PORT: '7000' } }).server.port, 7000);
  t.is(loadConfig({ env: { PORT: '7000', TOKENBOARD_SERVER_PORT: '7001' } }).server.port, 7001);
});

test('every bad value is reported at once, one line each, naming the key and the fix', (t) => {
  const dir = tempDir();
  const file = join(dir, 'bad.toml');
  writeFileSync(file, '[server]\nport = "eighty"\nbase_url = "tokenboard.local"\nsecret_key = "short"\ncolour = "blue"\n[org]\ntimezone = "Mars/Olympus"\n[auth]\nadmins = "alice"\n[nope]\nx = 1\n');
  const p = problems(() => loadConfig({ file, env: {} }));
  t.is(p.length, 7);
  t.true(p.some((l) => l.startsWith('server.port: must be a whole number')));
  t.true(p.some((l) => l.startsWith('server.base_url: must be a full URL')));
  t.true(p.some((l) => l.startsWith('server.secret_key: use at least 32 characters')));
  t.true(p.some((l) => l.startsWith('server.colour: unknown key')));
  t.true(p.some((l) => l.startsWith('org.timezone: must be an IANA time zone')));
  t.true(p.some((l) => l.startsWith('auth.admins: must be a list of strings')));
  t.true(p.some((l) => l.startsWith('nope: unknown section')));
  t.true(p.every((l) => !l.includes('\n')));
});

test('environment errors name the variable', (t) => {
  const p = problems(() => loadConfig({ env: { TOKENBOARD_SERVER_PORT: '70000' } }));
  t.deepEqual(p, ['server.port (from TOKENBOARD_SERVER_PORT): must be a port number between 1 and 65535 (0 picks a free one), got 70000']);
});

test('a missing or broken file is one clear line', (t) => {
  t.regex(problems(() => loadConfig({ file: '/nonexistent/tb.toml', env: {} }))[0], /does not exist/);
  const dir = tempDir();
  writeFileSync(join(dir, 'x.toml'), '[server\nport=1');
  t.regex(problems(() => loadConfig({ file: join(dir, 'x.toml'), env: {} }))[0], /not valid TOML/);
});

test('a GitHub app needs both secrets and an org', (t) => {
  const p = problems(() => loadConfig({ env: { TOKENBOARD_GITHUB_CLIENT_ID: 'abc' } }));
  t.true(p.some((l) => l.startsWith('github.client_id / github.client_secret')));
  t.true(p.some((l) => l.startsWith('github.org: required')));
  t.deepEqual(problems(() => loadConfig({ env: { TOKENBOARD_GITHUB_CLIENT_ID: 'a', TOKENBOARD_GITHUB_CLIENT_SECRET: 'b', TOKENBOARD_GITHUB_ORG: 'acme' } })), []);
});

test('database.url accepts empty, sqlite: and postgres:// only', (t) => {
  t.regex(problems(() => loadConfig({ env: { TOKENBOARD_DATABASE_URL: 'mysql://x' } }))[0], /^database\.url/);
});
