// `login`: check the values with a signed ping, then write the config file (mode 0600).
import { defaultConfigPath, writeLogin, type Login } from '../config.ts';
import { ping } from '../sender.ts';
import { readSenderState, statePath } from '../flusher.ts';
import { writeJsonAtomic } from '../fsutil.ts';
import { loadConfig } from '../config.ts';
import { UsageError, type Io } from './common.ts';

export async function login(io: Io, values: { server?: string; user?: string; token?: string }): Promise<number> {
  const { server, user, token } = values;
  if (!server || !user || !token) throw new UsageError('login needs --server URL --user ID --token TOKEN (all three are on your TokenBoard settings page)');
  if (!/^https?:\/\/[^/]/.test(server)) throw new UsageError(`--server must be an http:// or https:// URL, got "${server}"`);
  if (!/^[1-9][0-9]{0,15}$/.test(user)) throw new UsageError('--user must be your numeric user id');
  const l: Login = { server: server.replace(/\/+$/, ''), user: Number(user), token };
  const r = await ping(l);
  if (r.kind === 'unauthorized') {
    io.err(`login: the server refused these credentials: ${r.error}`);
    io.err('Nothing was saved. Check the user id and create a new token on your settings page.');
    return 1;
  }
  if (r.kind === 'refused') {
    io.err(`login: the server answered ${r.status}: ${r.error}. Is ${l.server} a TokenBoard server?`);
    return 1;
  }
  const path = defaultConfigPath(io.env);
  writeLogin(path, l);
  // A new login ends a 401 stop left by an older token.
  const stateDir = loadConfig(io.env).stateDir;
  const s = readSenderState(stateDir);
  if (s.blocked) {
    delete s.blocked;
    writeJsonAtomic(statePath(stateDir), s);
  }
  io.out(`Saved ${path} (mode 0600).`);
  if (r.kind === 'retry') io.err(`Warning: the server could not be reached right now (${r.error}); events will wait in the queue until it can.`);
  else io.out(`Server ${l.server} accepted a signed ping for user ${l.user}.`);
  return 0;
}
