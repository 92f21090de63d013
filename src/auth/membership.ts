// Org membership is confirmed at sign-in and re-checked on later requests once it is
// older than RECHECK_MS, with the person's own (sealed) GitHub token: someone removed from
// the org loses access within hours, not when their cookie expires. If GitHub cannot answer,
// access continues and the check is retried a few minutes later: a GitHub outage must not
// lock the whole company out.
import type { Services } from '../services.ts';
import { githubConfigured } from '../config.ts';
import type { User } from '../db/repos/users.ts';
import * as users from '../db/repos/users.ts';
import { githubApi, type GithubApi } from './github-api.ts';
import { forgetGithubToken, loadGithubToken, membershipRefusal, type Refusal } from './github-signin.ts';

export const RECHECK_MS = 4 * 3600_000;
export const RETRY_UNAVAILABLE_MS = 5 * 60_000;

export type Recheck = { ok: true; unavailable?: string } | { ok: false; refusal: Refusal };

interface State { retryAfter: Map<number, number>; inFlight: Map<number, Promise<Recheck>>; api: GithubApi }
const states = new WeakMap<Services, State>();

function state(s: Services): State {
  let st = states.get(s);
  if (!st) {
    st = { retryAfter: new Map(), inFlight: new Map(), api: githubApi(s.cfg) };
    states.set(s, st);
  }
  return st;
}

export function membershipDue(s: Services, user: User, now = Date.now()): boolean {
  if (!githubConfigured(s.cfg) || user.github_id === null) return false;
  const checked = user.membership_checked_at ? new Date(user.membership_checked_at).getTime() : 0;
  if (now - checked < RECHECK_MS) return false;
  return (state(s).retryAfter.get(user.id) ?? 0) <= now;
}

/** Re-checks when due; concurrent requests of one person share one GitHub call. */
export async function recheckMembership(s: Services, user: User, now = Date.now()): Promise<Recheck> {
  if (!membershipDue(s, user, now)) return { ok: true };
  const st = state(s);
  let p = st.inFlight.get(user.id);
  if (!p) {
    p = check(s, st, user, now).finally(() => st.inFlight.delete(user.id));
    st.inFlight.set(user.id, p);
  }
  return p;
}

async function check(s: Services, st: State, user: User, now: number): Promise<Recheck> {
  const token = await loadGithubToken(s, user.id);
  if (!token) return { ok: false, refusal: membershipRefusal(s, { state: 'token_invalid' }) };
  const m = await st.api.membership(token, s.cfg.github.org);
  if (m.state === 'active') {
    st.retryAfter.delete(user.id);
    await users.update(s.db.sql, user.id, { membership_checked_at: new Date(now) });
    return { ok: true };
  }
  if (m.state === 'unavailable') {
    st.retryAfter.set(user.id, now + RETRY_UNAVAILABLE_MS);
    return { ok: true, unavailable: m.detail };
  }
  if (m.state === 'token_invalid') await forgetGithubToken(s, user.id);
  return { ok: false, refusal: membershipRefusal(s, m) };
}
