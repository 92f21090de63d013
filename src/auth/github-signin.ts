// What happens after GitHub has said who someone is: confirm an active membership of
// `github.org`, then find or create their TokenBoard account by GitHub numeric id (so a
// renamed login keeps its history), refresh name, avatar, primary verified email and
// team slugs, apply the config roles, and keep their token (sealed) for later re-checks.
import type { Services } from '../services.ts';
import type { Sql } from '../db/sql.ts';
import * as users from '../db/repos/users.ts';
import type { User } from '../db/repos/users.ts';
import * as auth from '../db/repos/auth.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { githubApi, type GithubApi, type MembershipCheck } from './github-api.ts';
import { loadSecretKey, Sealer } from '../secrets.ts';
import { configRole, higherRole } from './roles.ts';

export interface GithubIdentity {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
  /** The primary email, only when GitHub says it is verified. */
  email: string | null;
}

export interface Refusal {
  code: 'not_member' | 'pending' | 'saml' | 'restricted' | 'token_invalid' | 'unavailable' | 'deactivated' | 'login_taken' | 'bad_profile';
  status: number;
  title: string;
  message: string;
  link?: { href: string; text: string };
}

export type SignInResult = { ok: true; user: User } | { ok: false; refusal: Refusal };

const GITHUB_ACTOR: Actor = { userId: null, login: 'github-sign-in' };

/** passport-github2's profile (with allRawEmails) → the fields we keep; null if it is unusable. */
export function identityFromProfile(profile: unknown): GithubIdentity | null {
  const p = profile as { _json?: Record<string, unknown>; emails?: { value?: unknown; primary?: unknown; verified?: unknown }[] } | null;
  const j = p?._json;
  if (!j || typeof j.login !== 'string' || !(typeof j.id === 'number' || typeof j.id === 'string')) return null;
  const id = Number(j.id);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const primary = (p.emails ?? []).find((e) => e.primary === true && e.verified === true && typeof e.value === 'string');
  return {
    id,
    login: j.login,
    name: typeof j.name === 'string' && j.name.trim() ? j.name.trim().slice(0, 255) : null,
    avatar_url: typeof j.avatar_url === 'string' && /^https?:\/\//.test(j.avatar_url) ? j.avatar_url.slice(0, 1024) : null,
    email: primary ? String(primary.value).slice(0, 320) : null,
  };
}

/** The page a person sees when membership is not (or no longer) confirmed. */
export function membershipRefusal(s: Services, m: Exclude<MembershipCheck, { state: 'active' }>): Refusal {
  const org = s.cfg.github.org;
  const web = s.cfg.github.web_url;
  switch (m.state) {
    case 'not_member':
      return { code: 'not_member', status: 403, title: `You are not a member of ${org}`, message: `You are not a member of ${org} on GitHub, and only members of ${org} can use this TokenBoard. If you should be, ask an owner of ${org} to add you, then sign in again.` };
    case 'pending':
      return { code: 'pending', status: 403, title: `Your invitation to ${org} is pending`, message: `You have been invited to ${org} but have not accepted yet. Accept the invitation on GitHub, then sign in again.`, link: { href: `${web}/orgs/${encodeURIComponent(org)}/invitation`, text: `Open the ${org} invitation` } };
    case 'saml':
      return { code: 'saml', status: 403, title: `Authorize TokenBoard for ${org}'s single sign-on`, message: `${org} requires SAML single sign-on, and GitHub has not authorized TokenBoard for it. Authorize the app for ${org} on GitHub (Settings → Applications → Authorized OAuth Apps → TokenBoard → Authorize for ${org}, or follow the link below), then sign in again.`, link: { href: m.url ?? `${web}/orgs/${encodeURIComponent(org)}/sso`, text: `Authorize for ${org} on GitHub` } };
    case 'restricted':
      return { code: 'restricted', status: 403, title: `${org} has not approved TokenBoard`, message: `${org} restricts which OAuth apps may read its data, and TokenBoard is not approved yet. Ask an owner of ${org} to approve it (organization settings → Third-party access → OAuth app policy), then sign in again.` };
    case 'token_invalid':
      return { code: 'token_invalid', status: 401, title: 'GitHub did not accept the sign-in', message: 'GitHub no longer accepts TokenBoard\'s access for your account. Sign in again.' };
    case 'unavailable':
      return { code: 'unavailable', status: 503, title: 'GitHub could not be reached', message: `TokenBoard could not confirm your membership of ${org} because GitHub did not answer. Try again in a minute.` };
  }
}

export async function signInWithGithub(s: Services, token: string, identity: GithubIdentity, api: GithubApi = githubApi(s.cfg), now = new Date()): Promise<SignInResult> {
  const membership = await api.membership(token, s.cfg.github.org);
  if (membership.state !== 'active') return { ok: false, refusal: membershipRefusal(s, membership) };
  const teams = await api.teams(token, s.cfg.github.org);

  const key = identity.login.toLowerCase();
  return s.db.transaction(async (tx): Promise<SignInResult> => {
    let user = await users.byGithubId(tx, identity.id);
    const holder = await users.byLogin(tx, key);
    if (holder && holder.id !== user?.id) {
      if (holder.github_id === null) {
        if (user || !holder.link_github) {
          // A login alone must never hand over someone else's account or role.
          return { ok: false, refusal: { code: 'login_taken', status: 409, title: `The name ${identity.login} is taken here`, message: `A TokenBoard account named ${identity.login} already exists and was not created for GitHub sign-in. An admin has to remove it (or recreate it with \`tokenboard user add ${identity.login} --github\`) before you can sign in.` } };
        }
        user = holder; // made by `user add --github`: the first sign-in with this login claims it
        await audit(tx, GITHUB_ACTOR, 'user.github_link', holder.login, { github_id: identity.id });
      } else {
        // GitHub logins are unique at any moment: the holder renamed away. Free the key;
        // their own next sign-in brings their new login.
        await users.update(tx, holder.id, { login_key: `${holder.login_key}~${holder.github_id}`.slice(0, 64) });
      }
    }
    if (user && !user.active) {
      return { ok: false, refusal: { code: 'deactivated', status: 403, title: 'Your account is deactivated', message: 'Your TokenBoard account has been deactivated. Ask an admin to reactivate it.' } };
    }
    const fromConfig = configRole(s.cfg, identity.login, teams ?? []);
    const fields = {
      github_id: identity.id, login: identity.login, login_key: key,
      name: identity.name ?? user?.name ?? null, avatar_url: identity.avatar_url,
      email: identity.email ?? user?.email ?? null,
      link_github: false, membership_checked_at: now, last_seen_at: now,
      ...(teams ? { teams } : {}),
    };
    if (!user) {
      user = await users.insert(tx, { ...fields, role: fromConfig, teams: teams ?? [] }, now);
    } else {
      const role = higherRole(user.role, fromConfig);
      if (role !== user.role) await audit(tx, { userId: null, login: 'config' }, 'user.role', identity.login, { before: user.role, after: role });
      user = (await users.update(tx, user.id, { ...fields, role }, now))!;
    }
    await saveGithubToken(s, tx, user.id, token);
    return { ok: true, user };
  });
}

// GitHub tokens get a key of their own (derived from the same secret), like provider keys.
const sealers = new WeakMap<Services, Sealer>();
function tokenSealer(s: Services): Sealer {
  let sealer = sealers.get(s);
  if (!sealer) {
    sealer = new Sealer(loadSecretKey(s.cfg), 'github-token');
    sealers.set(s, sealer);
  }
  return sealer;
}

async function saveGithubToken(s: Services, tx: Sql, userId: number, token: string): Promise<void> {
  await auth.saveGithubToken(tx, userId, tokenSealer(s).seal(token), Date.now());
}

/** The person's GitHub token, or null when none is stored (or it was sealed under another key). */
export async function loadGithubToken(s: Services, userId: number): Promise<string | null> {
  const sealed = await auth.githubToken(s.db.sql, userId);
  return sealed ? tokenSealer(s).open(sealed) : null;
}

export async function forgetGithubToken(s: Services, userId: number): Promise<void> {
  await auth.forgetGithubToken(s.db.sql, userId);
}
