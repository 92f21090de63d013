// Who may use which route. Every route declares its rule (src/web/route.ts: `access` is a
// required field, so a route without one does not compile); the rules are built from the
// few constructors below, and test/access.test.ts walks every declared route for every
// audience over real HTTP.
//
// Kinds:
//  - page: HTML; anonymous visitors are sent to /login?next=…, the wrong role gets a 403 page;
//    state-changing requests must carry the session's CSRF token.
//  - api:  JSON (/api/v1/…); anonymous gets 401 JSON, the wrong role 403 JSON; a session
//    cookie or `Authorization: Bearer <agent token>` signs in.
//  - open: no session at all, no CSRF: health, metrics, static files, and the machine
//    endpoints that authenticate each request themselves (ingest by its HMAC signature,
//    OTLP by a Bearer agent token).
// Audiences: anonymous, deactivated (treated as anonymous after being signed out), member,
// manager, admin.

export type Audience = 'anonymous' | 'deactivated' | 'member' | 'manager' | 'admin';
export const AUDIENCES: readonly Audience[] = ['anonymous', 'deactivated', 'member', 'manager', 'admin'];

export interface Rule {
  kind: 'page' | 'api' | 'open';
  allow: readonly Audience[];
  /** Also readable by anyone when the admin sets the leaderboard visibility to public. */
  publicWith?: 'leaderboard';
}

export const EVERYONE = AUDIENCES;
export const MEMBERS: readonly Audience[] = ['member', 'manager', 'admin'];
export const MANAGERS: readonly Audience[] = ['manager', 'admin'];
export const ADMINS: readonly Audience[] = ['admin'];

export const open: Rule = { kind: 'open', allow: EVERYONE };
export const page = (allow: readonly Audience[], publicWith?: 'leaderboard'): Rule => ({ kind: 'page', allow, publicWith });
export const api = (allow: readonly Audience[], publicWith?: 'leaderboard'): Rule => ({ kind: 'api', allow, publicWith });

export type Decision = 'allow' | 'sign_in' | 'forbidden';

/** The pure decision; the guard middleware turns it into a redirect, a 401 or a 403. */
export function decide(rule: Rule, who: Audience, leaderboardPublic: boolean): Decision {
  if (rule.kind === 'open' || rule.allow.includes(who)) return 'allow';
  if (rule.publicWith === 'leaderboard' && leaderboardPublic) return 'allow';
  return who === 'anonymous' || who === 'deactivated' ? 'sign_in' : 'forbidden';
}
