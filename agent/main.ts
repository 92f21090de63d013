// The agent's entry point, bundled into the one file the server serves
// (dist/agent/tokenboard-agent.mjs). As a module it exports the SDK shim; run as
// `node tokenboard-agent.mjs <command>` it is the CLI.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HELP } from './cli/help.ts';
import { processIo, UsageError, type Io } from './cli/common.ts';
import { useSmallYoungGeneration } from './cli/heap.ts';

export { wrapFetch, type WrapFetchOptions } from './shim.ts';

const OPTIONS = {
  login: { server: { type: 'string' }, user: { type: 'string' }, token: { type: 'string' }, offline: { type: 'boolean' } },
  collect: { since: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  status: { json: { type: 'boolean' } },
  proxy: {},
  run: {},
  service: {},
} as const;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP.main);
    return command ? 0 : 2;
  }
  if (!(command in OPTIONS)) {
    io.err(`unknown command "${command}"\n\n${HELP.main}`);
    return 2;
  }
  const name = command as keyof typeof OPTIONS;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(HELP[name]);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: OPTIONS[name], allowPositionals: name === 'service', strict: true });
    const v = values as Record<string, string | boolean | undefined>;
    switch (name) {
      case 'login': return await (await import('./cli/login.ts')).login(io, { server: v.server as string, user: v.user as string, token: v.token as string, offline: !!v.offline });
      case 'collect': return await (await import('./cli/collect.ts')).collect(io, { since: v.since as string | undefined, dryRun: !!v['dry-run'], json: !!v.json });
      case 'status': return await (await import('./cli/status.ts')).status(io, { json: !!v.json });
      case 'proxy': return await (await import('./cli/run.ts')).run(io, { proxy: true, watch: false });
      case 'run': return await (await import('./cli/run.ts')).run(io, { proxy: true, watch: true });
      case 'service': return (await import('./cli/service.ts')).service(io, positionals[0]);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${command}: ${(err as Error).message}\n\n${HELP[name]}`);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      io.err(`${command}: port ${(e as { port?: number }).port ?? ''} is in use (another agent running?); set TOKENBOARD_PROXY_PORT to use another`);
      return 1;
    }
    io.err(`${command}: ${e.message}`);
    return 1;
  }
}

function isMainModule(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
  } catch {
    return false;
  }
}

if (process.argv[2] === '--tokenboard-bookkeeping-thread') {
  // The bundle started as the agent's bookkeeping thread (bookkeeper.ts checks that it is one).
  void import('./bookkeeper.ts').then((m) => {
    if (!m.serveIfBookkeeper()) process.exitCode = 2;
  });
} else if (isMainModule()) {
  useSmallYoungGeneration();
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  });
}
