// Agent tokens: created with a secret shown exactly once, stored sealed, revocable.
import { Op, QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import type { UserRecord } from '../db/models.ts';
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

export async function createToken(db: Db, sealer: Sealer, user: UserRecord, name: string | undefined, actor: Actor): Promise<CreatedToken> {
  const tokenName = (name ?? 'default').trim();
  if (!tokenName || tokenName.length > 64 || /\p{Cc}/u.test(tokenName)) throw new BadInput('name: a token name is 1-64 printable characters');
  if (!user.active) throw new BadInput(`user ${user.login} is deactivated; reactivate the account before creating tokens`);
  const token = newAgentToken();
  const row = await db.models.AgentToken.create({ user_id: user.id, name: tokenName, secret_enc: sealer.seal(token), lookup_hash: sealer.lookupHash(token) });
  await audit(db, actor, 'token.create', user.login, { name: tokenName, token_id: row.id });
  return { id: row.id, user_id: user.id, name: tokenName, token };
}

/** Revokes the user's live tokens (all, or those with the given name); returns how many. */
export async function revokeTokens(db: Db, user: UserRecord, name: string | undefined, actor: Actor): Promise<number> {
  const where: Record<string, unknown> = { user_id: user.id, revoked_at: { [Op.is]: null } };
  if (name !== undefined) where.name = name;
  const [n] = await db.models.AgentToken.update({ revoked_at: new Date() }, { where });
  if (n === 0) {
    throw new NotFound(name === undefined ? `user ${user.login} has no live tokens` : `user ${user.login} has no live token named "${name}"`);
  }
  await audit(db, actor, 'token.revoke', user.login, { name: name ?? null, count: n });
  return n;
}

export async function revokeTokenById(db: Db, tokenId: number, actor: Actor): Promise<void> {
  const row = await db.models.AgentToken.findByPk(tokenId);
  if (!row || row.revoked_at) throw new NotFound('no such live token');
  await row.update({ revoked_at: new Date() });
  // The audit log names people by login, as everywhere else.
  const owner = await db.models.User.findByPk(row.user_id);
  await audit(db, actor, 'token.revoke', owner?.login ?? String(row.user_id), { token_id: tokenId, name: row.name });
}

export interface TokenInfo {
  id: number;
  user_id: number;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked: boolean;
}

export async function listTokens(db: Db, userId?: number): Promise<TokenInfo[]> {
  const rows = await db.models.AgentToken.findAll({ where: userId === undefined ? {} : { user_id: userId }, order: [['id', 'ASC']] });
  return rows.map((r) => ({ id: r.id, user_id: r.user_id, name: r.name, created_at: r.created_at, last_used_at: r.last_used_at ?? null, revoked: r.revoked_at != null }));
}

/** The live tokens of an active user, for checking an ingest signature. */
export async function liveSecrets(db: Db, sealer: Sealer, userId: number): Promise<{ id: number; token: string }[]> {
  const rows = await db.sequelize.query<{ id: number; secret_enc: string }>(
    `SELECT t.id, t.secret_enc FROM agent_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.user_id = ? AND t.revoked_at IS NULL AND u.active = ?`,
    { replacements: [userId, true], type: QueryTypes.SELECT });
  const out: { id: number; token: string }[] = [];
  for (const r of rows) {
    const token = sealer.open(r.secret_enc);
    if (token) out.push({ id: r.id, token });
  }
  return out;
}

/** The live token (and its active owner) a bearer token stands for, or null. */
export async function findByBearer(db: Db, sealer: Sealer, bearer: string): Promise<{ id: number; user_id: number } | null> {
  if (!bearer || bearer.length > 200) return null;
  const rows = await db.sequelize.query<{ id: number; user_id: number; secret_enc: string }>(
    `SELECT t.id, t.user_id, t.secret_enc FROM agent_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.lookup_hash = ? AND t.revoked_at IS NULL AND u.active = ?`,
    { replacements: [sealer.lookupHash(bearer), true], type: QueryTypes.SELECT });
  // The hash found the row; the sealed secret confirms it.
  const hit = rows.find((r) => sealer.open(r.secret_enc) === bearer);
  return hit ? { id: hit.id, user_id: hit.user_id } : null;
}

/** Tokens made before lookup hashes existed get theirs (needs the secret key, so not a migration). */
export async function backfillLookupHashes(db: Db, sealer: Sealer): Promise<number> {
  const rows = await db.models.AgentToken.findAll({ where: { lookup_hash: { [Op.is]: null } } });
  for (const r of rows) {
    const token = sealer.open(r.secret_enc);
    if (token) await r.update({ lookup_hash: sealer.lookupHash(token) });
  }
  return rows.length;
}

export interface TokenWithOwner extends TokenInfo {
  owner: string;
  owner_active: boolean;
}

/** Every agent token with its owner's login, live ones first, for the admin panel. */
export async function listTokensWithOwners(db: Db): Promise<TokenWithOwner[]> {
  const rows = await db.sequelize.query<{ id: number; user_id: number; name: string; created_at: string; last_used_at: string | null; revoked_at: string | null; login: string; active: number | boolean }>(
    `SELECT t.id, t.user_id, t.name, t.created_at, t.last_used_at, t.revoked_at, u.login, u.active
       FROM agent_tokens t JOIN users u ON u.id = t.user_id
      ORDER BY CASE WHEN t.revoked_at IS NULL THEN 0 ELSE 1 END, u.login_key, t.id`, { type: QueryTypes.SELECT });
  return rows.map((r) => ({
    id: Number(r.id), user_id: Number(r.user_id), name: r.name, created_at: new Date(r.created_at), last_used_at: r.last_used_at ? new Date(r.last_used_at) : null,
    revoked: r.revoked_at != null, owner: r.login, owner_active: Boolean(Number(r.active)),
  }));
}
