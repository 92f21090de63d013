// A real nginx (the system's /usr/sbin/nginx) in front of replicas on loopback, running
// deploy/nginx.conf itself: the compose file's host names and port are swapped for
// 127.0.0.1 ports, and a small main config around it keeps pid, logs and temp files in a
// temp dir. As root (as in CI) the workers run as nobody.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { ROOT } from '../../src/paths.ts';
import { freePort } from '../../scripts/pg-cluster.ts';
import { tempDir } from './app.ts';

export const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((p) => existsSync(p)) ?? null;

export interface Nginx {
  url: string;
  dir: string;
  /** nginx's error log (upstream failures and retries are logged there). */
  errorLog(): string;
  stop(): Promise<void>;
}

/** deploy/nginx.conf with its upstream servers at these loopback ports and listening on `port`. */
export function siteConfig(upstreams: number[], port: number): string {
  let text = readFileSync(join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
  const servers = text.match(/server tokenboard-\d+:8080/g) ?? [];
  if (servers.length !== upstreams.length) throw new Error(`deploy/nginx.conf names ${servers.length} replicas, the test runs ${upstreams.length}`);
  let i = 0;
  text = text.replace(/server tokenboard-\d+:8080/g, () => `server 127.0.0.1:${upstreams[i++]}`);
  if (!/^\s*listen 80;$/m.test(text)) throw new Error('deploy/nginx.conf: expected one "listen 80;" line');
  return text.replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`);
}

export async function startNginx(upstreams: number[]): Promise<Nginx> {
  if (!NGINX) throw new Error('nginx is not installed (apt-get install -y nginx); the replica test needs it');
  const dir = tempDir('tb-nginx-');
  const port = await freePort();
  const temp = join(dir, 'temp');
  mkdirSync(temp);
  const id = (flag: string) => spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim();
  // As root: workers as nobody in nobody's own group (nogroup on Debian, nobody elsewhere).
  const worker = userInfo().uid === 0 ? `nobody ${id('-gn')}` : null;
  if (worker) {
    // Workers must reach the temp dir; the logs are opened by the master (root).
    chmodSync(dir, 0o711);
    chownSync(temp, Number(id('-u')), Number(id('-g')));
  }
  writeFileSync(join(dir, 'tokenboard.conf'), siteConfig(upstreams, port));
  writeFileSync(join(dir, 'nginx.conf'), [
    worker ? `user ${worker};` : '',
    'worker_processes 1;',
    `error_log ${join(dir, 'error.log')} info;`,
    'events { worker_connections 512; }',
    'http {',
    `  access_log ${join(dir, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${join(temp, k)};`),
    `  include ${join(dir, 'tokenboard.conf')};`,
    '}',
    '',
  ].join('\n'));
  const args = ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`];
  const check = spawnSync(NGINX, [...args, '-t'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t: ${check.stderr.trim()}`);
  const child = spawn(NGINX, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // Listening once it accepts a connection. No HTTP request: with no replica up yet nginx
  // would mark both down (max_fails) and refuse the test's first requests for fail_timeout.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start: ${stderr.trim()}`);
    try {
      await new Promise<void>((resolve, reject) => {
        const sock = connect(port, '127.0.0.1', () => { sock.end(); resolve(); });
        sock.once('error', reject);
      });
      break;
    } catch {
      if (i > 200) throw new Error(`nginx did not listen on ${url}: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return {
    url, dir,
    errorLog: () => { try { return readFileSync(join(dir, 'error.log'), 'utf8'); } catch { return ''; } },
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
    },
  };
}
