// A user's all-time totals: the shape `tokenboard stats LOGIN --json` prints (DESIGN).
// By default the numbers are the raw sum of the events stored for the person, as DESIGN
// defines them. With `reconciled`, the same shape holds what the pages show: per person,
// day and provider the provider's own numbers (Admin-API imports) replace self-reported
// ones. Without provider data the two agree.
import type { Db } from '../db/connect.ts';
import type { User } from '../db/repos/users.ts';
import * as read from '../db/repos/usage-read.ts';
import { priceTable } from '../ledger/prices.ts';
import { rollupGroups } from '../ledger/read.ts';
import { totalsOf, type Totals } from './totals.ts';

/** The exact shape of `tokenboard stats LOGIN --json` (DESIGN "Server commands"). */
export interface UserStats extends Totals {
  login: string;
  sessions: number;
  active_days: number;
}

export async function userStats(db: Db, user: User, o: { reconciled?: boolean } = {}): Promise<UserStats> {
  const [groups, prices, sessions, activeDays] = await Promise.all([
    o.reconciled ? rollupGroups(db, { userIds: [user.id], from: null, to: '9999-12-31' }) : read.groupsOfUser(db.sql, user.id),
    priceTable(db), read.sessionCountOf(db.sql, user.id), read.activeDaysOfUser(db.sql, user.id),
  ]);
  const t = totalsOf(groups, prices);
  return {
    login: user.login,
    input_tokens: t.input_tokens,
    output_tokens: t.output_tokens,
    cache_read_tokens: t.cache_read_tokens,
    cache_write_tokens: t.cache_write_tokens,
    total_tokens: t.total_tokens,
    events: t.events,
    sessions,
    active_days: activeDays,
    cost_usd: t.cost_usd,
    unknown_models: t.unknown_models,
    models: t.models,
  };
}
