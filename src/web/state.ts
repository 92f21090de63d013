// What the sign-in middleware puts on ctx.state for everything after it.
import type { CurrentUser } from '../auth/current-user.ts';
import type { Refusal } from '../auth/github-signin.ts';
import type { Audience, Rule } from './access.ts';
import type { Body } from './body.ts';

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
    /** The access rule of the route this request reached (undefined: no route handles it). */
    rule: Rule | undefined;
    /** The body the route declared, as read by the chain (src/web/body.ts). */
    body: Body | undefined;
    /** Its form fields (form and multipart bodies). */
    form: URLSearchParams | undefined;
    /** Files of a multipart body, by field name. */
    files: Body['files'] | undefined;
    /** The route's validated input (its schema's output). */
    input: unknown;
    /** Why a session just ended, for the sign-in page. */
    signedOut: 'expired' | 'deactivated' | 'signed_out' | Refusal | undefined;
  }
}

export {};
