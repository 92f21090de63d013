// The rate-limit step of a route's chain (src/limits.ts has the policies): keys from the
// client address and, for ingest, the user id the request claims; over the limit → 429
// with retry-after, before any body is read or signature checked.
import type { Context, Middleware } from 'koa';
import type { Services } from '../../services.ts';
import { AppError } from '../../errors.ts';
import type { Purpose } from '../../limits.ts';
import { HEADER_USER } from '../../../agent/wire.ts';

function keysOf(ctx: Context, purpose: Purpose): string[] {
  // An address is at most 45 characters; whatever a misconfigured proxy passes on is cut there.
  const keys = [`ip:${ctx.ip.slice(0, 64)}`];
  if (purpose === 'ingest') {
    const user = ctx.get(HEADER_USER);
    if (/^[1-9][0-9]{0,15}$/.test(user)) keys.push(`user:${user}`);
  }
  return keys;
}

const WHAT: Record<Purpose, string> = {
  'sign-in-link': 'too many sign-in attempts from this address',
  'github-callback': 'too many GitHub sign-ins from this address',
  ingest: 'too many batches with a wrong signature from this address or for this user',
};

export function rateLimit(s: Services, purpose: Purpose): Middleware {
  return async (ctx, next) => {
    const v = await s.limits.check(purpose, keysOf(ctx, purpose));
    if (!v.allowed) {
      ctx.set('Retry-After', String(v.retryAfter));
      throw new AppError(429, 'rate_limited', `${WHAT[purpose]}; retry in ${v.retryAfter} s`);
    }
    await next();
  };
}

/** Counts a failure against the request's keys (policies that count only failures). */
export function countFailure(s: Services, ctx: Context, purpose: Purpose): Promise<void> {
  return s.limits.failed(purpose, keysOf(ctx, purpose));
}
