// A fake GitHub (github.com or Enterprise Server) on 127.0.0.1: the OAuth authorize and
// token endpoints under the web URL, and the REST endpoints sign-in uses under the API
// URL (`apiPrefix` '' for a separate api host layout, '/api/v3' for Enterprise Server).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { TestApp } from './app.ts';

export interface FakeUser {
  id: number;
  login: string;
  name?: string;
  avatar_url?: string;
  emails?: { email: string; primary: boolean; verified: boolean }[];
  /** org login → membership state */
  orgs?: Record<string, 'active' | 'pending'>;
  teams?: { org: string; slug: string }[];
  /** Orgs that enforce SAML SSO this user's token is not authorized for. */
  saml?: string[];
}

export interface FakeGithub {
  webUrl: string;
  apiUrl: string;
  /** The person who "approves" the next authorize request. */
  approveAs(user: FakeUser): void;
  /** Every request: method and path (with any API prefix), no query. */
  requests: { method: string; path: string }[];
  /** Query parameters of authorize requests. */
  authorizeParams: URLSearchParams[];
  tokenExchanges: number;
  /** Makes the API answer 503 (GitHub down). */
  down: boolean;
  close(): Promise<void>;
}

export const CLIENT_ID = 'fake-client-id';
export const CLIENT_SECRET = 'fake-client-secret';

export async function fakeGithub(apiPrefix = ''): Promise<FakeGithub> {
  const codes = new Map<string, FakeUser>();
  const tokens = new Map<string, FakeUser>();
  let approving: FakeUser | null = null;
  const fake = {
    webUrl: '', apiUrl: '', requests: [] as { method: string; path: string }[], authorizeParams: [] as URLSearchParams[],
    tokenExchanges: 0, down: false,
    approveAs(u: FakeUser) { approving = u; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) => new Promise<string>((resolve) => {
    let b = '';
    req.on('data', (c) => { b += c; });
    req.on('end', () => resolve(b));
  });

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    fake.requests.push({ method: req.method!, path: url.pathname });
    if (url.pathname === '/login/oauth/authorize') {
      fake.authorizeParams.push(url.searchParams);
      if (!approving || url.searchParams.get('client_id') !== CLIENT_ID) return send(res, 400, { error: 'bad authorize request' });
      const code = randomBytes(8).toString('hex');
      codes.set(code, approving);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      fake.tokenExchanges++;
      const form = new URLSearchParams(await readBody(req));
      const user = codes.get(form.get('code') ?? '');
      if (!user || form.get('client_secret') !== CLIENT_SECRET) return send(res, 200, { error: 'bad_verification_code' });
      codes.delete(form.get('code')!);
      const token = `gho_${randomBytes(12).toString('hex')}`;
      tokens.set(token, user);
      return send(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:org,read:user,user:email' });
    }
    if (!url.pathname.startsWith(`${apiPrefix}/`)) return send(res, 404, { message: 'Not Found' });
    const path = url.pathname.slice(apiPrefix.length);
    if (fake.down) return send(res, 503, { message: 'unavailable' });
    const auth = /^(?:Bearer|token) (\S+)$/.exec(req.headers.authorization ?? '');
    const user = auth ? tokens.get(auth[1]) : undefined;
    if (!user) return send(res, 401, { message: 'Bad credentials' });
    let m: RegExpExecArray | null;
    if (path === '/user') return send(res, 200, { id: user.id, login: user.login, name: user.name ?? null, avatar_url: user.avatar_url ?? `https://avatars.example/${user.id}` });
    if (path === '/user/emails') return send(res, 200, user.emails ?? [{ email: `${user.login}@example.com`, primary: true, verified: true }]);
    if ((m = /^\/user\/memberships\/orgs\/([^/]+)$/.exec(path))) {
      const org = decodeURIComponent(m[1]);
      if (user.saml?.includes(org)) {
        return send(res, 403, { message: 'Resource protected by organization SAML enforcement. You must grant your OAuth token access to this organization.' },
          { 'x-github-sso': `required; url=${fake.webUrl}/orgs/${org}/sso?authorization_request=abc` });
      }
      const state = user.orgs?.[org];
      return state ? send(res, 200, { state, role: 'member', organization: { login: org } }) : send(res, 404, { message: 'Not Found' });
    }
    if ((m = /^\/orgs\/([^/]+)\/members\/([^/]+)$/.exec(path))) {
      return user.orgs?.[decodeURIComponent(m[1])] === 'active' && decodeURIComponent(m[2]) === user.login ? send(res, 204, undefined) : send(res, 404, { message: 'Not Found' });
    }
    if (path === '/user/teams') return send(res, 200, (user.teams ?? []).map((t) => ({ slug: t.slug, name: t.slug, organization: { login: t.org } })));
    if (path === '/user/orgs') return send(res, 200, Object.keys(user.orgs ?? {}).map((login) => ({ login })));
    return send(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  fake.webUrl = `http://127.0.0.1:${port}`;
  fake.apiUrl = `${fake.webUrl}${apiPrefix}`;
  return fake;
}

/** Config overrides pointing TokenBoard at the fake. */
export function githubConfig(fake: FakeGithub, org: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'github.client_id': CLIENT_ID, 'github.client_secret': CLIENT_SECRET, 'github.org': org,
    'github.web_url': fake.webUrl, 'github.api_url': fake.apiUrl, ...extra,
  };
}

/** Runs the whole OAuth dance in a fresh browser as `user`; returns the browser and the callback's answer. */
export async function githubSignIn(app: TestApp, gh: FakeGithub, user: FakeUser, next?: string) {
  gh.approveAs(user);
  const b = app.browser();
  const start = await b.get(`/auth/github${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  if (start.status !== 302 || !start.location) throw new Error(`/auth/github answered ${start.status}`);
  const authorize = await fetch(start.location, { redirect: 'manual' });
  const callback = new URL(authorize.headers.get('location')!);
  const final = await b.get(callback.pathname + callback.search);
  return { b, start, callback, final };
}
