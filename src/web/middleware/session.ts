// Sessions: koa-session with the shared table as its store (src/auth/session-store.ts),
// so any replica can answer any request and logout ends a session everywhere. The
// cookie holds a random id only; httpOnly, SameSite=Lax, signed, Secure when the public
// URL is https. The signing key is derived from server.secret_key, so rotating the
// secret signs everyone out.
import { hkdfSync, randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Context, Next } from 'koa';
import session from 'koa-session';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/connect.ts';
import { loadSecretKey } from '../../secrets.ts';
import { ABSOLUTE_MS } from '../../auth/session-policy.ts';
import { sessionStore } from '../../auth/session-store.ts';

export const SESSION_COOKIE = 'tokenboard.sid';

export function sessionMiddleware(app: Koa, cfg: Config, db: Db) {
  app.keys = [Buffer.from(hkdfSync('sha256', loadSecretKey(cfg), 'tokenboard', 'session-cookie', 32)).toString('base64url')];
  const secure = cfg.server.base_url.startsWith('https://');
  const mw = session({
    key: SESSION_COOKIE, maxAge: ABSOLUTE_MS, httpOnly: true, sameSite: 'lax', signed: true,
    secure, rolling: false, renew: false, overwrite: true,
    store: sessionStore(db) as never,
    genid: () => randomBytes(32).toString('base64url'),
  }, app);
  return async function sessions(ctx: Context, next: Next): Promise<void> {
    // TLS usually ends at a proxy in front of us (app.proxy is off), so Koa sees http while
    // the browser sees https: trust base_url for the Secure flag.
    if (secure) ctx.cookies.secure = true;
    await mw(ctx, next);
  };
}
