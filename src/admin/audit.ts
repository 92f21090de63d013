// The audit log of admin actions (role changes, price edits, token revocations, imports).
import type { Transaction } from 'sequelize';
import type { Db } from '../db/connect.ts';

/** Who did something: a signed-in user, or the server's own CLI. */
export interface Actor {
  userId: number | null;
  login: string;
}

export const CLI_ACTOR: Actor = { userId: null, login: 'cli' };

export async function audit(db: Db, actor: Actor, kind: string, target: string | null, details: unknown, transaction?: Transaction): Promise<void> {
  await db.models.AuditEntry.create({
    actor_user_id: actor.userId,
    actor: actor.login,
    kind,
    target,
    details: details === undefined ? null : JSON.stringify(details),
  }, { transaction });
}
