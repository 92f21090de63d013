// A throwaway PostgreSQL server for tests and benchmarks: initdb into a temp dir, pg_ctl
// start on a free loopback port, stop and remove at the end. PostgreSQL refuses to run as
// root, so as root it runs as an unprivileged user (the packages' `postgres`, else one
// made for it). Nothing here is used by the product itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface Cluster {
  port: number;
  /** A URL for one database of this server (as the superuser `tb`, no password: trust on loopback). */
  url(database: string): string;
  /** Runs SQL as the superuser in the `postgres` database (psql). */
  psql(sql: string): string;
  /** The postmaster's process id (its children are the server's backends and workers), or null once stopped. */
  pid(): number | null;
  stop(): void;
}

/** The directory with initdb/pg_ctl, or null when PostgreSQL is not installed here. */
export function pgBinDir(): string | null {
  const fromEnv = process.env.TOKENBOARD_PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'pg_ctl'))) return fromEnv;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(base, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found ? join(found, '..') : null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function runAsUser(): { name: string; uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const id = (name: string) => spawnSync('id', ['-u', name], { encoding: 'utf8' });
  let name = 'postgres';
  if (id(name).status !== 0) {
    name = 'tokenboard-pg';
    if (id(name).status !== 0) execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  }
  const uid = Number(id(name).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  return { name, uid, gid };
}

export interface ClusterOptions {
  /** Durable writes (fsync, synchronous commit) as in production: for benchmarks. Tests go without. */
  durable?: boolean;
  maxConnections?: number;
}

export async function startCluster(o: ClusterOptions = {}): Promise<Cluster> {
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql), or set TOKENBOARD_PG_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'tb-pg-'));
  const data = join(dir, 'data');
  const as = runAsUser();
  if (as) { chownSync(dir, as.uid, as.gid); chmodSync(dir, 0o700); }
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = as ? ['runuser', ['-u', as.name, '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
    return r.stdout;
  };
  run('initdb', ['-D', data, '-U', 'tb', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  const settings = [
    `-p ${port}`, "-c listen_addresses='127.0.0.1'", `-c unix_socket_directories='${dir}'`,
    `-c max_connections=${o.maxConnections ?? 300}`, '-c shared_buffers=128MB',
    ...(o.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ];
  run('pg_ctl', ['-D', data, '-o', settings.join(' '), '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const psql = join(bin, 'psql');
  let stopped = false;
  return {
    port,
    url: (database) => `postgres://tb@127.0.0.1:${port}/${database}`,
    psql(sql) {
      const r = spawnSync(existsSync(psql) ? psql : 'psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'tb', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`psql: ${r.stderr.trim()}`);
      return r.stdout;
    },
    pid() {
      try {
        return stopped ? null : Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
      } catch {
        return null;
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try { run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch { /* already gone */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
