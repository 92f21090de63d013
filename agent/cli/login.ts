// `login`: check the values with a signed ping, then write the config file (mode 0600).
// Nothing is saved unless a TokenBoard server answered the ping with a yes: a wrong URL, a
// server that cannot be reached and a wrong token all leave the old config as it was.
// `--offline` saves values that cannot be checked now (a laptop set up on a train); a
// server that can be reached and says no is still a no.
import { defaultConfigPath, writeLogin, type Login } from '../config.ts';
import { ping, type FetchLike, type SendResult } from '../sender.ts';
import { readSenderState, statePath } from '../flusher.ts';
import { writeJsonAtomic } from '../fsutil.ts';
import { loadConfig } from '../config.ts';
import { UsageError, type Io } from './common.ts';

export interface LoginValues {
  server?: string;
  user?: string;
  token?: string;
  offline?: boolean;
}

/**
 * A 200 only counts when its body is TokenBoard's answer to a ping (`{"accepted": 0, ...}`):
 * any web server can answer 200 to a POST, and a captive portal or a plain site would
 * otherwise be saved as "accepted".
 */
export function isPingAnswer(body: string): boolean {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    return j !== null && typeof j === 'object' && j.accepted === 0 && typeof j.duplicates === 'number';
  } catch {
    return false;
  }
}

/** The ping, keeping the raw answer so a 200 can be checked. */
async function checkedPing(l: Login): Promise<{ r: SendResult; body: string }> {
  let body = '';
  const recording: FetchLike = async (url, init) => {
    const res = await (fetch as unknown as FetchLike)(url, init);
    body = await res.text();
    return { status: res.status, headers: res.headers, text: async () => body };
  };
  const r = await ping(l, recording);
  return { r, body };
}

export async function login(io: Io, values: LoginValues): Promise<number> {
  const { server, user, token } = values;
  if (!server || !user || !token) throw new UsageError('login needs --server URL --user ID --token TOKEN (all three are on your TokenBoard settings page)');
  if (!/^https?:\/\/[^/]/.test(server)) throw new UsageError(`--server must be an http:// or https:// URL, got "${server}"`);
  if (!/^[1-9][0-9]{0,15}$/.test(user)) throw new UsageError('--user must be your numeric user id');
  const l: Login = { server: server.replace(/\/+$/, ''), user: Number(user), token };
  const { r, body } = await checkedPing(l);
  const nothingSaved = 'Nothing was saved.';
  if (r.kind === 'unauthorized') {
    io.err(`login: the server refused these credentials: ${r.error}`);
    io.err(`${nothingSaved} Check the user id and create a new token on your settings page.`);
    return 1;
  }
  if (r.kind === 'refused') {
    io.err(`login: ${l.server} answered ${r.status}: ${r.error}. Is it the address of your TokenBoard (the one your settings page shows)?`);
    io.err(nothingSaved);
    return 1;
  }
  if (r.kind === 'stored' && !isPingAnswer(body)) {
    io.err(`login: ${l.server} answered, but not as a TokenBoard server does. Is it the address of your TokenBoard (the one your settings page shows)?`);
    io.err(nothingSaved);
    return 1;
  }
  if (r.kind === 'retry' && !values.offline) {
    const why = r.status === null ? `could not be reached (${r.error})` : `answered ${r.status} (${r.error})`;
    io.err(`login: ${l.server} ${why}, so these values could not be checked.`);
    io.err(`${nothingSaved} Check the server address, or run login again with --offline to save them unchecked (events wait in the queue until the server takes them).`);
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
  if (r.kind === 'retry') io.err(`Not checked (--offline): ${l.server} could not be reached right now (${r.error}). \`status\` checks it later; events wait in the queue until it takes them.`);
  else io.out(`Server ${l.server} accepted a signed ping for user ${l.user}.`);
  return 0;
}
