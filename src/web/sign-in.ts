// Starting and ending a signed-in session (Koa glue over the session policy). A new
// sign-in gets a new session id (the old row is deleted) and a new CSRF token: nothing
// carried over from before, so an id planted before sign-in is worth nothing after it.
import type { Context } from 'koa';
import { newCsrfToken, type SessionData, type SignInMethod } from '../auth/session-policy.ts';

export async function startSession(ctx: Context, userId: number, via: SignInMethod, now = Date.now()): Promise<void> {
  const data: SessionData = { uid: userId, via, created: now, seen: now, csrf: newCsrfToken() };
  ctx.session = data as never;
  await (ctx.session as unknown as { regenerate(): Promise<void> }).regenerate();
  ctx.state.csrf = data.csrf!;
}

/** Ends the signed-in part of a session (expired, deactivated, removed from the org). The CSRF
 * token stays: it authenticates nobody, and forms already open (sign-in) keep working. */
export function endSession(ctx: Context): void {
  const old = (ctx.session ?? {}) as SessionData;
  const data: SessionData = { csrf: typeof old.csrf === 'string' && old.csrf ? old.csrf : newCsrfToken() };
  ctx.session = data as never;
  ctx.state.csrf = data.csrf!;
}
