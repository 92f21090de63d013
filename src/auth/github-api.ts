// The few GitHub REST calls sign-in needs, made with the person's own OAuth token against
// `github.api_url` (https://api.github.com, or https://HOST/api/v3 on Enterprise Server).
// Answers are classified, never thrown: the caller decides what each case means for the
// person. Tokens go in a header only; nothing here logs.
import got, { type Got } from 'got';
import type { Config } from '../config.ts';

export type MembershipCheck =
  | { state: 'active' }
  /** Invited but has not accepted the invitation yet. */
  | { state: 'pending' }
  | { state: 'not_member' }
  /** The org enforces SAML SSO and this token is not authorized for it. */
  | { state: 'saml'; url: string | null }
  /** The org restricts OAuth app access and has not approved this app. */
  | { state: 'restricted' }
  /** GitHub no longer accepts the token (revoked, or the app's grant removed). */
  | { state: 'token_invalid' }
  /** GitHub could not answer (network, 5xx, rate limit): nothing is known. */
  | { state: 'unavailable'; detail: string };

export interface GithubApi {
  membership(token: string, org: string): Promise<MembershipCheck>;
  /** The slugs of the person's teams in `org` (lower-case), or null when GitHub could not say. */
  teams(token: string, org: string): Promise<string[] | null>;
}

const MAX_TEAM_PAGES = 10;

export function githubApi(cfg: Config): GithubApi {
  const client: Got = got.extend({
    prefixUrl: cfg.github.api_url.replace(/\/+$/, ''),
    headers: { accept: 'application/vnd.github+json', 'user-agent': 'tokenboard', 'x-github-api-version': '2022-11-28' },
    responseType: 'json',
    throwHttpErrors: false,
    timeout: { request: 10_000 },
    retry: { limit: 1, methods: ['GET'], statusCodes: [502, 503, 504] },
    followRedirect: false,
  });
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const webOrigin = new URL(cfg.github.web_url).origin;

  return {
    async membership(token, org) {
      let res;
      try {
        res = await client.get(`user/memberships/orgs/${encodeURIComponent(org)}`, { headers: auth(token) });
      } catch (err) {
        return { state: 'unavailable', detail: (err as { code?: string }).code ?? 'network error' };
      }
      const body = (res.body ?? {}) as { state?: unknown; message?: unknown };
      const message = typeof body.message === 'string' ? body.message : '';
      switch (res.statusCode) {
        case 200:
          return body.state === 'active' ? { state: 'active' } : { state: 'pending' };
        case 404:
          return { state: 'not_member' };
        case 401:
          return { state: 'token_invalid' };
        case 403: {
          const sso = String(res.headers['x-github-sso'] ?? '');
          if (sso.startsWith('required') || /SAML/i.test(message)) return { state: 'saml', url: ssoUrl(sso, webOrigin) };
          if (/OAuth App access restrictions/i.test(message)) return { state: 'restricted' };
          if (res.headers['x-ratelimit-remaining'] === '0') return { state: 'unavailable', detail: 'rate limited' };
          return { state: 'not_member' };
        }
        default:
          return { state: 'unavailable', detail: `status ${res.statusCode}` };
      }
    },

    async teams(token, org) {
      const slugs: string[] = [];
      const wanted = org.toLowerCase();
      for (let page = 1; page <= MAX_TEAM_PAGES; page++) {
        let res;
        try {
          res = await client.get('user/teams', { headers: auth(token), searchParams: { per_page: 100, page } });
        } catch {
          return null;
        }
        if (res.statusCode !== 200 || !Array.isArray(res.body)) return null;
        const items = res.body as { slug?: unknown; organization?: { login?: unknown } }[];
        for (const t of items) {
          if (typeof t.slug === 'string' && String(t.organization?.login ?? '').toLowerCase() === wanted) slugs.push(t.slug.toLowerCase());
        }
        if (items.length < 100 || !/rel="next"/.test(String(res.headers.link ?? ''))) break;
      }
      return [...new Set(slugs)].sort();
    },
  };
}

/** The authorization link GitHub gives in `X-GitHub-SSO: required; url=…`, if it points at GitHub itself. */
function ssoUrl(header: string, webOrigin: string): string | null {
  const m = /url=(\S+)/.exec(header);
  if (!m) return null;
  try {
    const u = new URL(m[1]);
    return u.origin === webOrigin ? u.href : null;
  } catch {
    return null;
  }
}
