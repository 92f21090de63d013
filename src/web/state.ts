// What the sign-in middleware puts on ctx.state for everything after it.
import type { CurrentUser } from '../auth/current-user.ts';
import type { Refusal } from '../auth/github-signin.ts';
import type { Audience, Rule } from './access.ts';

declare module 'koa' {
  interface DefaultState {
    /** The signed-in person, re-read from the database on this request; null when anonymous. */
    user: CurrentUser | null;
    /** The session's CSRF token ('' on open routes): forms send it as `_csrf`, htmx as `x-csrf-token`. */
    csrf: string;
    /** Who is asking, for the access table. */
    audience: Audience;
    /** How this request signed in. */
    authVia: 'session' | 'bearer' | null;
    /** The access-table rule of the route this request reaches (undefined: no route will handle it). */
    rule: Rule | undefined;
    /** A parsed urlencoded form body of a state-changing page request. */
    form: URLSearchParams | undefined;
    /** Files of a multipart page request, by field name. */
    files: Record<string, File> | undefined;
    /** Why a session just ended, for the sign-in page. */
    signedOut: 'expired' | 'deactivated' | 'signed_out' | Refusal | undefined;
  }
}

export {};
