// A one-shot message from a POST to the page it redirects to (post/redirect/get), for
// results that hold a secret: a new agent token, a one-time sign-in link. It rides in the
// session's row in the database, sealed (AES-256-GCM under a key of its own, derived from
// server.secret_key), so the secret is never stored readable nor put in any URL. It lasts
// a couple of minutes and is gone once the page has shown it; reloading that page shows it
// no more. Any replica can open it: nothing is kept in one process.
import type { Context } from 'koa';
import type { Services } from '../services.ts';
import { loadSecretKey, Sealer } from '../secrets.ts';
import type { SessionData } from '../auth/session-policy.ts';

/** Long enough for the redirect that follows the POST; short enough that an old cookie is useless. */
export const FLASH_TTL_MS = 2 * 60_000;
const KEY = 'flash';

const sealers = new WeakMap<Services, Sealer>();
function sealerOf(s: Services): Sealer {
  let sealer = sealers.get(s);
  if (!sealer) sealers.set(s, (sealer = new Sealer(loadSecretKey(s.cfg), 'flash')));
  return sealer;
}

interface Sealed<T> { kind: string; until: number; value: T }

/** Leaves `value` for the next page that asks for this kind. */
export function setFlash<T>(ctx: Context, s: Services, kind: string, value: T, now = Date.now()): void {
  const data: Sealed<T> = { kind, until: now + FLASH_TTL_MS, value };
  ((ctx.session ?? {}) as SessionData)[KEY] = sealerOf(s).seal(JSON.stringify(data));
}

/** The flash of this kind, removed from the session; null when there is none (or it expired). */
export function takeFlash<T>(ctx: Context, s: Services, kind: string, now = Date.now()): T | null {
  const sess = (ctx.session ?? {}) as SessionData;
  const raw = sess[KEY];
  if (typeof raw !== 'string') return null;
  let data: Sealed<T> | null = null;
  try {
    const opened = sealerOf(s).open(raw);
    data = opened === null ? null : (JSON.parse(opened) as Sealed<T>);
  } catch {
    data = null;
  }
  // Another page's flash waits for that page, unless it is unreadable or stale.
  if (data && data.kind !== kind && data.until > now) return null;
  delete sess[KEY];
  return data && data.kind === kind && data.until > now ? data.value : null;
}
