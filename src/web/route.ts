// The route chain. Every route is declared once, with everything the chain needs:
//   route({ method, path, access, body, input, handler })
// and the chain runs the same steps for each: who is asking (session or Bearer token) →
// the access rule (sign in, 403, or on) → the body, read only now, as the route's kind and
// within its cap → CSRF for state changes from pages → the input schema over params, query
// and body → the handler, with typed input. Errors of any step come out in the request's
// shape (page, htmx fragment or JSON) from the one error handler.
import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type * as v from 'valibot';
import type { Services } from '../services.ts';
import type { Rule } from './access.ts';
import { readBody, type BodySpec } from './body.ts';
import { validate, type Parts } from './schema.ts';
import { currentUser } from './middleware/current-user.ts';
import { enforceAccess } from './middleware/guard.ts';
import { checkCsrf } from './middleware/csrf.ts';

export interface Route<S extends v.GenericSchema = v.GenericSchema> {
  method: 'GET' | 'POST';
  path: string;
  access: Rule;
  /** The body this route reads (state changes only); none when absent. */
  body?: BodySpec;
  /** The schema of { params, query, body }; the handler gets its output. */
  input?: S;
  /** Extra steps after access and before the body (rate limits). */
  before?: Middleware[];
  handler(ctx: Context, input: v.InferOutput<S>): unknown;
}

/** Declares a route (types the handler's input from the schema). */
export function route<S extends v.GenericSchema>(r: Route<S>): Route<S> {
  return r;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function chain(s: Services, r: Route, who: Middleware): Middleware[] {
  const key = `${r.method} ${r.path}`;
  const setRule: Middleware = async (ctx, next) => {
    ctx.state.rule = r.access;
    ctx.state.route = r;
    await next();
  };
  const bodyAndInput: Middleware = async (ctx: Context, next: Next) => {
    const body = r.body ? await readBody(ctx, r.body) : { fields: {}, files: {} };
    ctx.state.form = new URLSearchParams(Object.entries(body.fields).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x])));
    ctx.state.files = body.files;
    ctx.state.body = body;
    // Pages change state only with the session's CSRF token (a form field or, for htmx, a
    // header). Open routes sign every request themselves; Bearer calls carry no cookie.
    if (UNSAFE.has(ctx.method) && r.access.kind !== 'open' && ctx.state.authVia !== 'bearer') checkCsrf(ctx);
    const parts: Parts = {
      params: (ctx.params ?? {}) as Record<string, string>,
      query: ctx.query as Parts['query'],
      body: body.json !== undefined && body.json !== null && typeof body.json === 'object' && !Array.isArray(body.json) ? body.json as Record<string, unknown> : body.fields,
    };
    try {
      ctx.state.input = r.input ? validate(r.input, parts) : parts;
    } catch (err) {
      s.metrics.routeInput.inc({ route: key, outcome: 'refused' });
      throw err;
    }
    s.metrics.routeInput.inc({ route: key, outcome: 'valid' });
    await next();
  };
  const handle: Middleware = async (ctx) => { await r.handler(ctx, ctx.state.input); };
  return [setRule, who, enforceAccess(s), ...(r.before ?? []), bodyAndInput, handle];
}

/** One router for every declared route. */
export function mountRoutes(s: Services, routes: readonly Route[]): Router {
  const router = new Router();
  const who = currentUser(s);
  const seen = new Set<string>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) throw new Error(`route declared twice: ${key}`);
    seen.add(key);
    const steps = chain(s, r, who);
    if (r.method === 'GET') router.get(r.path, ...steps);
    else router.post(r.path, ...steps);
  }
  return router;
}

/** Every declared route as 'METHOD /path' with its access rule (the access test walks it). */
export function accessTable(routes: readonly Route[]): Record<string, Rule> {
  return Object.fromEntries(routes.map((r) => [`${r.method} ${r.path}`, r.access]));
}
