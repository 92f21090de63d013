// Agent tokens: created with a secret shown exactly once, stored sealed, revocable.
import type { Db } from '../db/connect.ts';
import type { User } from '../db/repos/users.ts';
import * as tokens from '../db/repos/tokens.ts';
import * as users from '../db/repos/users.ts';
import { BadInput, NotFound } from '../errors.ts';
import { newAgentToken, type Sealer } from '../secrets.ts';
import { audit, type Actor } from '../admin/audit.ts';

export interface CreatedToken {
  id: number;
  user_id: number;
  name: string;
  /** The secret itself: returned here once and never again. */
  token: string;
}

export async function createToken(db: Db, sealer: Sealer, user: User, name: string | undefined, actor: Actor): Promise<CreatedToken> {
  const tokenName = (name ?? 'default').trim();
  if (!tokenName || tokenName.length > 64 || /[\p{Cc}\p{Cf}]/u.test(tokenName)) throw new BadInput('name: a token name is 1-64 printable characters');
  if (!user.active) throw new BadInput(`user ${user.login} is deactivated; reactivate the account before creating tokens`);
  const token = newAgentToken();
  const row = await db.transaction(async (tx) => {
    const r = await tokens.insert(tx, { user_id: user.id, name: tokenName, secret_enc: sealer.seal(token), lookup_hash: sealer.lookupHash(token) });
    await audit(tx, actor, 'token.create', user.login, { name: tokenName, token_id: r.id });
    return r;
  });
  return { id: row.id, user_id: user.id, name: tokenName, token };
}

/** Revokes the user's live tokens (all, or those with the given name); returns how many. */
export async function revokeTokens(db: Db, user: User, name: string | undefined, actor: Actor): Promise<number> {
  return db.transaction(async (tx) => {
    const n = await tokens.revokeOfUser(tx, user.id, name);
    if (n === 0) {
      throw new NotFound(name === undefined ? `user ${user.login} has no live tokens` : `user ${user.login} has no live token named "${name}"`);
    }
    await audit(tx, actor, 'token.revoke', user.login, { name: name ?? null, count: n });
    return n;
  });
}

export async function revokeTokenById(db: Db, tokenId: number, actor: Actor, owner?: number): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await tokens.byId(tx, tokenId);
    if (!row || row.revoked_at || (owner !== undefined && row.user_id !== owner)) throw new NotFound(owner === undefined ? 'no such live token' : 'no such live token of yours');
    await tokens.revoke(tx, tokenId);
    // The audit log names people by login, as everywhere else.
    const who = await users.byId(tx, row.user_id);
    await audit(tx, actor, 'token.revoke', who?.login ?? String(row.user_id), { token_id: tokenId, name: row.name });
  });
}

export interface TokenInfo {
  id: number;
  user_id: number;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked: boolean;
}

const info = (r: tokens.TokenRow): TokenInfo => ({ id: r.id, user_id: r.user_id, name: r.name, created_at: r.created_at, last_used_at: r.last_used_at, revoked: r.revoked_at !== null });

export async function listTokens(db: Db, userId?: number): Promise<TokenInfo[]> {
  return (await tokens.ofUser(db.sql, userId)).map(info);
}

/** The live tokens of an active user, for checking an ingest signature. */
export async function liveSecrets(db: Db, sealer: Sealer, userId: number): Promise<{ id: number; token: string; lastUsedAt: Date | null }[]> {
  const out: { id: number; token: string; lastUsedAt: Date | null }[] = [];
  for (const r of await tokens.liveOfActiveUser(db.sql, userId)) {
    const token = sealer.open(r.secret_enc);
    if (token) out.push({ id: r.id, token, lastUsedAt: r.last_used_at });
  }
  return out;
}

/**
 * Whether a batch signed by a token last used at `lastUsedAt` records its use again: the
 * pages show the time to the minute, and an agent sends a batch every few seconds, so a
 * write per batch (to the one row all of one agent's batches share) would show nothing new.
 */
export function touchDue(lastUsedAt: Date | null, now: number): boolean {
  return lastUsedAt === null || now - lastUsedAt.getTime() >= TOUCH_EVERY_MS || lastUsedAt.getTime() > now;
}

export const TOUCH_EVERY_MS = 60_000;

/** The live token (and its active owner) a bearer token stands for, or null. */
export async function findByBearer(db: Db, sealer: Sealer, bearer: string): Promise<{ id: number; user_id: number } | null> {
  if (!bearer || bearer.length > 200) return null;
  // The hash found the row; the sealed secret confirms it.
  const hit = (await tokens.liveByLookup(db.sql, sealer.lookupHash(bearer))).find((r) => sealer.open(r.secret_enc) === bearer);
  return hit ? { id: hit.id, user_id: hit.user_id } : null;
}

/** Tokens made before lookup hashes existed get theirs (needs the secret key, so not a migration). */
export async function backfillLookupHashes(db: Db, sealer: Sealer): Promise<number> {
  const rows = await tokens.withoutLookup(db.sql);
  for (const r of rows) {
    const token = sealer.open(r.secret_enc);
    if (token) await tokens.setLookup(db.sql, r.id, sealer.lookupHash(token));
  }
  return rows.length;
}

export interface TokenWithOwner extends TokenInfo {
  owner: string;
  owner_active: boolean;
}

/** Every agent token with its owner's login, live ones first, for the admin panel. */
export async function listTokensWithOwners(db: Db): Promise<TokenWithOwner[]> {
  return (await tokens.withOwners(db.sql)).map((r) => ({ ...info(r), owner: r.owner, owner_active: r.owner_active }));
}
