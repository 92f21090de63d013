// CSRF, a step of the route chain (src/web/route.ts): every state-changing request from the
// pages carries the session's token, as the `_csrf` field of its form (urlencoded or
// multipart) or the `x-csrf-token` header (htmx, from <body hx-headers>). Open routes
// (signed ingest, OTLP with a Bearer token) and Bearer-authenticated API calls are exempt:
// no ambient cookie authenticates them. The chain reads the body first, within the
// route's cap, and only after the access rule let the request through.
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { AppError } from '../../errors.ts';
import type { SessionData } from '../../auth/session-policy.ts';

export class CsrfError extends AppError {
  constructor() { super(403, 'csrf', 'This form has expired or did not come from this TokenBoard. Reload the page and try again.'); }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export function checkCsrf(ctx: Context): void {
  const sent = ctx.get('x-csrf-token') || (ctx.state.form as URLSearchParams | undefined)?.get('_csrf') || '';
  const expected = ((ctx.session ?? {}) as SessionData).csrf ?? '';
  if (!same(sent, expected)) throw new CsrfError();
}
