// Who may use which route: the one table. Every route any router registers needs an entry
// here, keyed by method and the router's own path pattern ('GET /u/:login'); a route
// without one is refused (fail closed) and test/access.test.ts fails. Entries for routes
// that do not exist yet are harmless.
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

const EVERYONE = AUDIENCES;
const MEMBERS: readonly Audience[] = ['member', 'manager', 'admin'];
const MANAGERS: readonly Audience[] = ['manager', 'admin'];
const ADMINS: readonly Audience[] = ['admin'];

const open: Rule = { kind: 'open', allow: EVERYONE };
const page = (allow: readonly Audience[], publicWith?: 'leaderboard'): Rule => ({ kind: 'page', allow, publicWith });
const api = (allow: readonly Audience[], publicWith?: 'leaderboard'): Rule => ({ kind: 'api', allow, publicWith });

export const ACCESS: Readonly<Record<string, Rule>> = {
  // System and machine endpoints.
  'GET /healthz': open,
  'GET /readyz': open,
  'GET /metrics': open,
  'GET /agent/tokenboard-agent.mjs': open,
  'GET /static/htmx.min.js': open,
  'POST /api/ingest': open,
  'POST /v1/metrics': open,
  'POST /v1/logs': open,
  // Gemini CLI cannot send headers: its OTLP endpoint carries the agent token in the path.
  'POST /otlp/:token/v1/metrics': open,
  'POST /otlp/:token/v1/logs': open,

  // Signing in and out.
  'GET /login': page(EVERYONE),
  'GET /login/link': page(EVERYONE),
  'POST /login/link': page(EVERYONE),
  'GET /auth/github': page(EVERYONE),
  'GET /auth/github/callback': page(EVERYONE),
  'POST /logout': page(EVERYONE),

  // Leaderboard and profiles.
  'GET /': page(MEMBERS, 'leaderboard'),
  'GET /u/:login': page(MEMBERS, 'leaderboard'),
  // Images for READMEs: anyone may ask; the handler serves them without a session only
  // for people who made their badge public (it reads the session, so these are pages).
  'GET /u/:login/badge.svg': page(EVERYONE),
  'GET /u/:login/card.svg': page(EVERYONE),

  // Team adoption.
  'GET /team': page(MANAGERS),
  'GET /team.csv': page(MANAGERS),

  // Own settings and agent tokens.
  'GET /settings': page(MEMBERS),
  'POST /settings/tokens': page(MEMBERS),
  'POST /settings/tokens/:id/revoke': page(MEMBERS),
  'POST /settings/preferences': page(MEMBERS),
  'POST /settings/sign-out-everywhere': page(MEMBERS),

  // Admin panel.
  'GET /admin': page(ADMINS),
  'GET /admin/users': page(ADMINS),
  'POST /admin/users': page(ADMINS),
  'POST /admin/users/bulk': page(ADMINS),
  'POST /admin/users/:login/role': page(ADMINS),
  'POST /admin/users/:login/deactivate': page(ADMINS),
  'POST /admin/users/:login/reactivate': page(ADMINS),
  'POST /admin/users/:login/delete': page(ADMINS),
  'POST /admin/users/:login/login-link': page(ADMINS),
  'GET /admin/tokens': page(ADMINS),
  'POST /admin/tokens/:id/revoke': page(ADMINS),
  'GET /admin/prices': page(ADMINS),
  'POST /admin/prices': page(ADMINS),
  'POST /admin/prices/delete': page(ADMINS),
  'POST /admin/prices/import': page(ADMINS),
  'POST /admin/prices/import/apply': page(ADMINS),
  'GET /admin/imports': page(ADMINS),
  'POST /admin/imports': page(ADMINS),
  'POST /admin/imports/keys': page(ADMINS),
  'GET /admin/imports/jobs/:id': page(ADMINS),
  'POST /admin/imports/jobs/:id/resume': page(ADMINS),
  'POST /admin/imports/assign': page(ADMINS),
  'GET /admin/settings': page(ADMINS),
  'POST /admin/settings': page(ADMINS),
  'GET /admin/audit': page(ADMINS),

  // JSON for scripts.
  'GET /api/v1/me': api(MEMBERS),
  'GET /api/v1/leaderboard': api(MEMBERS, 'leaderboard'),
  'GET /api/v1/users/:login': api(MEMBERS, 'leaderboard'),
  'GET /api/v1/team': api(MANAGERS),
};

export type Decision = 'allow' | 'sign_in' | 'forbidden';

/** The pure decision; the guard middleware turns it into a redirect, a 401 or a 403. */
export function decide(rule: Rule, who: Audience, leaderboardPublic: boolean): Decision {
  if (rule.kind === 'open' || rule.allow.includes(who)) return 'allow';
  if (rule.publicWith === 'leaderboard' && leaderboardPublic) return 'allow';
  return who === 'anonymous' || who === 'deactivated' ? 'sign_in' : 'forbidden';
}

export function ruleFor(key: string): Rule | undefined {
  return Object.hasOwn(ACCESS, key) ? ACCESS[key] : undefined;
}
