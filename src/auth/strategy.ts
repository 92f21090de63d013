// The passport strategy for GitHub sign-in, pointed at `github.web_url` (authorize, token)
// and `github.api_url` (profile, emails) so GitHub Enterprise Server works the same way.
// `state: true` makes passport store a random state in the session and refuse a callback
// that does not bring it back.
import { Strategy as GitHubStrategy, type StrategyOptions } from 'passport-github2';
import type { VerifyCallback } from 'passport-oauth2';
import type { Config } from '../config.ts';

export const SCOPES = ['read:user', 'user:email', 'read:org'];
export const CALLBACK_PATH = '/auth/github/callback';

/** What the strategy hands to passport's success: the token and GitHub's profile, nothing decided yet. */
export interface GithubGrant { token: string; profile: unknown }

/** github.callback_url, else server.base_url + the path; with neither, a relative URL that
 * passport completes from the request's Host (GitHub still only accepts the callback URL
 * registered for the app). */
export function callbackUrl(cfg: Config): string {
  if (cfg.github.callback_url) return cfg.github.callback_url;
  return cfg.server.base_url ? `${cfg.server.base_url}${CALLBACK_PATH}` : CALLBACK_PATH;
}

/** The strategy only hands over the token and profile; membership and the account are decided afterwards. */
export function githubStrategy(cfg: Config): GitHubStrategy {
  const web = cfg.github.web_url.replace(/\/+$/, '');
  const api = cfg.github.api_url.replace(/\/+$/, '');
  return new GitHubStrategy({
    clientID: cfg.github.client_id,
    clientSecret: cfg.github.client_secret,
    callbackURL: callbackUrl(cfg),
    authorizationURL: `${web}/login/oauth/authorize`,
    tokenURL: `${web}/login/oauth/access_token`,
    userProfileURL: `${api}/user`,
    userEmailURL: `${api}/user/emails`,
    scope: SCOPES,
    allRawEmails: true,
    userAgent: 'tokenboard',
    state: true,
    // passport-oauth2 reads `state: true` as "use the session state store"; the typings only know a fixed string.
  } as unknown as StrategyOptions, (accessToken: string, _refresh: string, profile: unknown, done: VerifyCallback) => {
    done(null, { token: accessToken, profile } satisfies GithubGrant as unknown as Express.User);
  });
}
