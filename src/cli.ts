#!/usr/bin/env node
// The `tokenboard` command. Each subcommand is a thin shell over a domain function;
// any failure is one clear line on stderr and a non-zero exit code.
import './threadpool.ts';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { AppError } from './errors.ts';
import { createServices, type Services } from './services.ts';
import { startServer } from './server.ts';
import { isPostgresUrl, openDb } from './db/connect.ts';
import { copyDatabase } from './db/copy.ts';
import { migrate } from './db/migrate.ts';
import { backupTo } from './db/backup.ts';
import { addUser, requireUser } from './users/users.ts';
import { createToken, revokeTokens } from './users/tokens.ts';
import { userStats } from './usage/stats.ts';
import { listPrices, setPrice } from './pricing/store.ts';
import { CLI_ACTOR } from './admin/audit.ts';
import { createLogger } from './log.ts';
import { createLoginLink, linkBase } from './auth/login-links.ts';
import { createJob, runJob } from './imports/run.ts';
import { isProvider, PROVIDERS } from './imports/vendors.ts';
import { loadAdminKey } from './imports/keys.ts';
import { ImportError } from './imports/client.ts';
import { alertCommand, budgetCommand, digestCommand, type CliTools } from './alerts/commands.ts';
import { teamCommand } from './teams/commands.ts';

const USAGE = `usage: tokenboard [--config FILE] <command>

commands:
  serve                                   start the server (what npm start runs)
  migrate                                 apply pending database migrations
  user add LOGIN [--role admin|manager|member] [--name NAME] [--email EMAIL] [--github]
  token create LOGIN [--name NAME]        prints {"user_id": N, "token": "..."} (shown once)
  token revoke LOGIN [--name NAME]        revokes the user's tokens (all, or the named one)
  login-link LOGIN                        prints a one-time sign-in URL (15 minutes; local mode and recovery)
  stats LOGIN [--json] [--reconciled]     the user's all-time totals: the raw sum of their events, or with
                                          --reconciled what the pages show (provider numbers replace self-reported ones)
  price set MODEL --input X --output Y [--cache-read Z] [--cache-write W] [--cache-write-1h H] [--provider P]
  price list [--json]
  backup FILE                             online copy of the SQLite database
  copy-db URL                             copy every table into the empty database at URL (postgres://… or sqlite:/path),
                                          then compare row counts and everyone's totals
  import anthropic|openai|cursor|copilot --from YYYY-MM-DD --to YYYY-MM-DD [--key-env VAR]
                                          vendor usage backfill (key or token from VAR, else the stored one)
  team add SLUG [--name NAME]            a local team (GitHub teams come from sign-in and are not edited here)
  team member add|remove SLUG LOGIN
  team list [--json]                      every team, local and GitHub, with its members
  team remove SLUG                        deletes a local team (people and usage stay)
  budget set (--user LOGIN | --team SLUG | --org) --period week|month (--limit-usd N | --limit-tokens N) [--thresholds 50,80,100]
  budget list [--json]                    budgets with what they used so far this period
  budget remove ID
  alert add --kind slack|webhook --url URL [--secret S] [--events budget,digest,unknown-model,import-failed]
  alert list [--json]
  alert test ID                           sends a test alert to that destination now
  digest [--send]                         prints the weekly digest as JSON; --send sends it now

Configuration: config.toml via --config or TOKENBOARD_CONFIG, and TOKENBOARD_<SECTION>_<KEY>
environment variables; see config.example.toml.`;

export class UsageError extends Error {}

type Out = { out: (s: string) => void; err: (s: string) => void };

function parse(args: string[], options: ParseArgsConfig['options'], positionals: number): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  // `--input -1` would read as an unknown flag; join a negative number to its option so
  // the value check can say what is wrong with it.
  args = args.flatMap((a, i) => (/^-\d/.test(a) && /^--[a-z-]+$/.test(args[i - 1] ?? '') ? [] : [/^--[a-z-]+$/.test(a) && /^-\d/.test(args[i + 1] ?? '') ? `${a}=${args[i + 1]}` : a]));
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, config: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(String((err as Error).message).split('\n')[0]);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(parsed.positionals.length < positionals ? 'missing argument' : `unexpected argument "${parsed.positionals[positionals]}"`);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

function priceNumber(flag: string, v: string | boolean | undefined, required: boolean): number | undefined {
  if (v === undefined) {
    if (required) throw new UsageError(`--${flag} is required (USD per million tokens)`);
    return undefined;
  }
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: "${String(v)}" is not a number`);
  if (n < 0) throw new UsageError(`--${flag}: a price cannot be negative (got ${n})`);
  return n;
}

async function withServices<T>(cfg: Config, fn: (s: Services) => Promise<T>): Promise<T> {
  const s = await createServices(cfg, { log: createLogger(undefined, true) });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** What the budget, alert and digest commands (src/alerts/commands.ts) need from here. */
function cliTools(cfg: Config, io: Out): CliTools {
  return { parse, services: (fn) => withServices(cfg, fn), usage: (m) => new UsageError(m), out: io.out, err: io.err };
}

/** Finds --config anywhere in the arguments (it applies to every command). */
function configPath(argv: string[]): string | null {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i < 0) return null;
  if (argv[i].includes('=')) return argv[i].slice('--config='.length);
  const v = argv[i + 1];
  if (!v || v.startsWith('--')) throw new UsageError('--config needs a file path');
  return v;
}

export async function main(argv: string[], io: Out = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const [cmd, sub, ...rest] = argv.filter((a, i) => !(a === '--config' || a.startsWith('--config=') || (i > 0 && argv[i - 1] === '--config')));
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      io.out(USAGE);
      return cmd ? 0 : 2;
    }
    const cfg = loadConfig({ file: configPath(argv), env });
    const args = [sub, ...rest].filter((a): a is string => a !== undefined);

    switch (cmd) {
      case 'serve': {
        parse(args, {}, 0);
        await serve(cfg, io);
        return 0;
      }
      case 'migrate': {
        parse(args, {}, 0);
        const db = await openDb(cfg);
        try {
          const applied = await migrate(db);
          io.out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
        } finally {
          await db.close();
        }
        return 0;
      }
      case 'user': {
        if (sub !== 'add') throw new UsageError(`unknown command "user ${sub ?? ''}"; did you mean "user add LOGIN"?`);
        const { values, positionals } = parse(rest, { role: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, github: { type: 'boolean' } }, 1);
        const user = await withServices(cfg, (s) => addUser(s.db, {
          login: positionals[0], role: values.role as string | undefined, name: values.name as string | undefined,
          email: values.email as string | undefined, github: Boolean(values.github),
        }, CLI_ACTOR));
        io.out(JSON.stringify({ id: user.id, login: user.login, role: user.role }));
        return 0;
      }
      case 'token': {
        if (sub !== 'create' && sub !== 'revoke') throw new UsageError(`unknown command "token ${sub ?? ''}"; use "token create LOGIN" or "token revoke LOGIN"`);
        const { values, positionals } = parse(rest, { name: { type: 'string' } }, 1);
        await withServices(cfg, async (s) => {
          const user = await requireUser(s.db, positionals[0]);
          if (sub === 'create') {
            const t = await createToken(s.db, s.sealer, user, values.name as string | undefined, CLI_ACTOR);
            io.out(JSON.stringify({ user_id: t.user_id, token: t.token }));
          } else {
            const n = await revokeTokens(s.db, user, values.name as string | undefined, CLI_ACTOR);
            io.out(`revoked ${n} token${n === 1 ? '' : 's'} of ${user.login}`);
          }
        });
        return 0;
      }
      case 'login-link': {
        const { positionals } = parse(args, {}, 1);
        const link = await withServices(cfg, async (s) => createLoginLink(s.db, await requireUser(s.db, positionals[0]), linkBase(cfg), CLI_ACTOR));
        io.out(link.url);
        io.err(`valid until ${link.expires_at.toISOString()}, once${cfg.server.base_url ? '' : '; set server.base_url if the server is reached at another address'}`);
        return 0;
      }
      case 'stats': {
        const { values, positionals } = parse(args, { json: { type: 'boolean' }, reconciled: { type: 'boolean' } }, 1);
        const [raw, reconciled] = await withServices(cfg, async (s) => {
          const user = await requireUser(s.db, positionals[0]);
          return [await userStats(s.db, user), await userStats(s.db, user, { reconciled: true })];
        });
        if (values.json) io.out(JSON.stringify(values.reconciled ? reconciled : raw));
        else {
          const cost = (v: number | null) => (v === null ? 'unknown' : `$${v.toFixed(2)}`);
          io.out(`${raw.login}: ${raw.total_tokens} tokens in ${raw.events} events (raw sum of stored events), ${raw.sessions} sessions, ${raw.active_days} active days, ` +
            `cost ${cost(raw.cost_usd)}${raw.unknown_models.length ? ` (no price for: ${raw.unknown_models.join(', ')})` : ''}`);
          io.out(`  reconciled (as the pages show it): ${reconciled.total_tokens} tokens in ${reconciled.events} messages, cost ${cost(reconciled.cost_usd)}`);
          for (const m of (values.reconciled ? reconciled : raw).models) io.out(`  ${m.provider}/${m.model}: in ${m.input_tokens} out ${m.output_tokens} cache-read ${m.cache_read_tokens} cache-write ${m.cache_write_tokens} events ${m.events} cost ${m.cost_usd === null ? 'unknown' : `$${m.cost_usd.toFixed(4)}`}`);
        }
        return 0;
      }
      case 'price': {
        if (sub === 'set') {
          const { values, positionals } = parse(rest, {
            input: { type: 'string' }, output: { type: 'string' }, 'cache-read': { type: 'string' }, 'cache-write': { type: 'string' }, 'cache-write-1h': { type: 'string' }, provider: { type: 'string' },
          }, 1);
          const price = {
            model: positionals[0],
            provider: values.provider as string | undefined,
            input: priceNumber('input', values.input, true)!,
            output: priceNumber('output', values.output, true)!,
            cache_read: priceNumber('cache-read', values['cache-read'], false),
            cache_write: priceNumber('cache-write', values['cache-write'], false),
            // Absent: kept as it was (a 1-hour write costs the 5-minute price until one is set).
            ...(values['cache-write-1h'] === undefined ? {} : { cache_write_1h: priceNumber('cache-write-1h', values['cache-write-1h'], false) }),
          };
          const { before, after } = await withServices(cfg, (s) => setPrice(s.db, price, CLI_ACTOR));
          io.out(`${before ? 'updated' : 'added'} ${after.model}: input ${after.input}, output ${after.output}, cache read ${after.cache_read ?? 'as input'}, cache write ${after.cache_write ?? 'as input'}, 1-hour cache write ${after.cache_write_1h ?? 'as cache write'} (USD per million tokens)`);
          return 0;
        }
        if (sub === 'list') {
          const { values } = parse(rest, { json: { type: 'boolean' } }, 0);
          const prices = await withServices(cfg, (s) => listPrices(s.db));
          if (values.json) io.out(JSON.stringify(prices));
          else {
            io.out(['provider', 'model', 'input', 'output', 'cache_read', 'cache_write', 'cache_write_1h'].join('\t'));
            for (const p of prices) io.out([p.provider || '-', p.model, p.input, p.output, p.cache_read ?? '-', p.cache_write ?? '-', p.cache_write_1h ?? '-'].join('\t'));
          }
          return 0;
        }
        throw new UsageError(`unknown command "price ${sub ?? ''}"; use "price set" or "price list"`);
      }
      case 'backup': {
        const { positionals } = parse(args, {}, 1);
        const dest = await withServices(cfg, (s) => backupTo(s.db, positionals[0]));
        io.out(`backup written to ${dest}`);
        return 0;
      }
      case 'copy-db': {
        const { positionals } = parse(args, {}, 1);
        const url = positionals[0];
        if (!isPostgresUrl(url) && !/^sqlite:./.test(url)) throw new UsageError('copy-db: give the target as postgres://user:pass@host:5432/db or sqlite:/path/to/file.sqlite');
        const report = await withServices(cfg, async (s) => {
          const target = await openDb(cfg, url);
          try {
            return await copyDatabase(s.db, target, (line) => io.err(line));
          } finally {
            await target.close();
          }
        });
        for (const t of report.tables) if (t.source !== t.target) io.err(`copy-db: ${t.table}: ${t.source} rows here, ${t.target} there`);
        if (report.mismatched.length) io.err(`copy-db: totals differ for ${report.mismatched.join(', ')}`);
        io.out(report.ok
          ? `copied ${report.tables.length} tables (${report.tables.reduce((n, t) => n + t.source, 0)} rows); row counts and the totals of all ${report.people} people match`
          : 'copy-db: the copy does not match the source (see above); do not switch to it');
        return report.ok ? 0 : 1;
      }
      case 'import': {
        const { values, positionals } = parse(args, { from: { type: 'string' }, to: { type: 'string' }, 'key-env': { type: 'string' } }, 1);
        const provider = positionals[0];
        if (!isProvider(provider)) throw new UsageError(`import: ${PROVIDERS.join(', ')}, not "${provider}"`);
        if (!values.from || !values.to) throw new UsageError('import: --from and --to are required (YYYY-MM-DD)');
        const keyEnv = values['key-env'] as string | undefined;
        if (keyEnv !== undefined && !env[keyEnv]) throw new UsageError(`--key-env: the environment variable ${keyEnv} is not set`);
        const summary = await withServices(cfg, async (s) => {
          const key = keyEnv ? env[keyEnv]! : await loadAdminKey(s.db, s.adminSealer, provider);
          if (!key) throw new AppError(400, 'no_key', `no ${provider} ${provider === 'copilot' ? 'token' : 'Admin key'}: pass --key-env VAR or store one in the admin panel`);
          const job = await createJob(s, provider, String(values.from), String(values.to), CLI_ACTOR);
          return runJob(s, job, {
            key, onProgress: (p) => io.err(`import ${provider}: page ${p.pages}, ${p.events} events stored, ${p.unmapped} unmapped`),
          });
        });
        io.out(`imported ${summary.events} events from ${provider} in ${summary.pages} pages; ${summary.unmapped} unmapped (assign them in the admin panel)`);
        return 0;
      }
      case 'team': return await teamCommand(sub, rest, cliTools(cfg, io));
      case 'budget': return await budgetCommand(sub, rest, cliTools(cfg, io));
      case 'alert': return await alertCommand(sub, rest, cliTools(cfg, io));
      case 'digest': return await digestCommand(args, cliTools(cfg, io));
      default:
        throw new UsageError(`unknown command "${cmd}"; run "tokenboard --help"`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) io.err(`tokenboard: config: ${p}`);
      return 78; // EX_CONFIG
    }
    if (err instanceof UsageError) {
      io.err(`tokenboard: ${err.message} (see "tokenboard --help")`);
      return 2;
    }
    if (err instanceof AppError || err instanceof ImportError) {
      io.err(`tokenboard: ${err.message}`);
      return 1;
    }
    io.err(`tokenboard: ${(err as Error)?.message ?? String(err)}`);
    return 1;
  }
}

async function serve(cfg: Config, io: Out): Promise<void> {
  const log = createLogger();
  const running = await startServer(cfg, { log });
  log.info('tokenboard listening', { url: running.url, data_dir: cfg.server.data_dir });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info('shutting down', { signal });
      running.stop().then(() => { log.info('stopped'); resolve(); }, (err) => { io.err(`tokenboard: shutdown: ${String(err)}`); resolve(); });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
