// A sign-in refusal (src/auth/github-signin.ts decides them) as the page that says so, with
// the HTTP status of its kind: the domain words the refusal, only the web layer knows statuses.
import type { Context } from 'koa';
import type { Refusal } from '../auth/github-signin.ts';
import { page } from './render.ts';

export const REFUSAL_STATUS: Record<Refusal['code'], number> = {
  not_member: 403, pending: 403, saml: 403, restricted: 403, deactivated: 403, state_mismatch: 403, cancelled: 403,
  token_invalid: 401, login_taken: 409, unavailable: 503, bad_profile: 502, oauth_failed: 502,
};

export function refusalPage(ctx: Context, refusal: Refusal): Promise<void> {
  ctx.status = REFUSAL_STATUS[refusal.code];
  return page(ctx, 'pages/signin-refused.njk', { title: refusal.title, refusal });
}
