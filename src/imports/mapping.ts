// Mapping provider identities to people: an admin-maintained table first (API key id,
// account id, OpenAI user id, or an email alias), then the person's verified email.
// Usage nobody maps to waits in unmapped_usage; assigning its identity stores it for
// that person.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import type { Tx } from '../db/writer.ts';
import { BadInput } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { requireUser } from '../users/users.ts';
import type { Services } from '../services.ts';
import { priceTableIn } from '../pricing/store.ts';
import { storeInTx } from '../ingest/store.ts';
import type { WireEvent } from '../../agent/wire.ts';
import type { Activity, Identity, ImportedUsage } from './sources.ts';

export const IDENTITY_KINDS = ['email', 'anthropic_account', 'anthropic_api_key', 'anthropic_api_key_name', 'openai_user', 'openai_api_key'] as const;

export interface Resolver { resolve(identities: Identity[]): number | null }

/** Loads the mapping once per page of usage. */
export async function resolver(read: (sql: string) => Promise<object[]>): Promise<Resolver> {
  const map = new Map<string, number>();
  for (const r of await read('SELECT kind, external_id, user_id FROM identity_map') as { kind: string; external_id: string; user_id: number }[]) {
    map.set(`${r.kind}\u0000${r.external_id.toLowerCase()}`, Number(r.user_id));
  }
  const emails = new Map<string, number>();
  for (const r of await read('SELECT id, email FROM users WHERE email IS NOT NULL AND active = 1') as { id: number; email: string }[]) {
    emails.set(r.email.toLowerCase(), Number(r.id));
  }
  return {
    resolve(identities) {
      for (const [kind, id] of identities) {
        const hit = map.get(`${kind}\u0000${id.toLowerCase()}`);
        if (hit !== undefined) return hit;
      }
      for (const [kind, id] of identities) {
        if (kind === 'email' && emails.has(id.toLowerCase())) return emails.get(id.toLowerCase())!;
      }
      return null;
    },
  };
}

/** Stores one page: mapped usage as events of its person, the rest set aside. */
export async function storeImported(s: Services, provider: string, items: ImportedUsage[], activity: Activity[] = []): Promise<{ stored: number; duplicates: number; unmapped: number }> {
  return s.db.writer.transaction(async (tx) => {
    const who = await resolver((sql) => tx.all<object>(sql));
    for (const a of activity) {
      const user = who.resolve(a.identities);
      if (user === null) continue;
      // The API reports a whole day per actor: a re-import replaces, never adds.
      await tx.run(`INSERT INTO claude_code_activity (user_id, day, sessions, lines_added, lines_removed, commits, pull_requests) VALUES (?,?,?,?,?,?,?)
                    ON CONFLICT (user_id, day) DO UPDATE SET sessions = excluded.sessions, lines_added = excluded.lines_added,
                      lines_removed = excluded.lines_removed, commits = excluded.commits, pull_requests = excluded.pull_requests`,
        [user, a.day, a.sessions, a.lines_added, a.lines_removed, a.commits, a.pull_requests]);
    }
    const byUser = new Map<number, WireEvent[]>();
    let unmapped = 0;
    for (const it of items) {
      const user = who.resolve(it.identities);
      if (user === null) {
        unmapped += await tx.run(
          `INSERT INTO unmapped_usage (provider, identities, label, event_id, event, tokens, day, created_at) VALUES (?,?,?,?,?,?,?,?)
           ON CONFLICT (event_id) DO NOTHING`,
          [provider, JSON.stringify(it.identities), it.label.slice(0, 320), it.event.id, JSON.stringify(it.event),
            it.event.input_tokens + it.event.output_tokens + it.event.cache_read_tokens + it.event.cache_write_tokens,
            new Date(it.event.ts).toISOString().slice(0, 10), new Date().toISOString()]);
        continue;
      }
      const list = byUser.get(user) ?? [];
      list.push(it.event);
      byUser.set(user, list);
    }
    const out = { stored: 0, duplicates: 0, unmapped };
    for (const [userId, events] of byUser) {
      const r = await storeEvents(s, tx, userId, events);
      out.stored += r.accepted;
      out.duplicates += r.duplicates;
    }
    return out;
  });
}

async function storeEvents(s: Services, tx: Tx, userId: number, events: WireEvent[]) {
  // Imports carry no agent token: tokenId 0 matches no token row.
  return storeInTx(tx, { userId, tokenId: 0, replay: null, now: Date.now(), minTs: 0 }, events, s.calendar(), await priceTableIn(s.db, tx));
}

export interface UnmappedGroup { provider: string; label: string; identities: Identity[]; tokens: number; events: number; first_day: string; last_day: string }

/** Unmapped usage grouped by who it belongs to, for the admin to assign. */
export async function unmappedUsage(db: Db): Promise<UnmappedGroup[]> {
  const rows = await db.sequelize.query<{ provider: string; label: string; identities: string; tokens: number; events: number; first_day: string; last_day: string }>(
    `SELECT provider, label, identities, SUM(tokens) AS tokens, COUNT(*) AS events, MIN(day) AS first_day, MAX(day) AS last_day
       FROM unmapped_usage GROUP BY provider, label, identities ORDER BY tokens DESC`, { type: QueryTypes.SELECT });
  return rows.map((r) => ({ ...r, identities: JSON.parse(r.identities) as Identity[], tokens: Number(r.tokens), events: Number(r.events) }));
}

/**
 * Maps an identity to a person and re-attributes the usage waiting for it. Returns how
 * many events moved.
 */
export async function assignIdentity(s: Services, kind: string, externalId: string, login: string, actor: Actor): Promise<number> {
  if (!(IDENTITY_KINDS as readonly string[]).includes(kind)) throw new BadInput(`kind: one of ${IDENTITY_KINDS.join(', ')}`);
  const id = externalId.trim();
  if (!id || id.length > 320) throw new BadInput('external id: 1-320 characters');
  const user = await requireUser(s.db, login);
  const moved = await s.db.writer.transaction(async (tx) => {
    await tx.run(`INSERT INTO identity_map (kind, external_id, user_id, created_at) VALUES (?, ?, ?, ?)
                  ON CONFLICT (kind, external_id) DO UPDATE SET user_id = excluded.user_id`, [kind, id, user.id, new Date().toISOString()]);
    const rows = await tx.all<{ id: number; identities: string; event: string }>('SELECT id, identities, event FROM unmapped_usage');
    const who = await resolver((sql) => tx.all<object>(sql));
    const mine = rows.filter((r) => who.resolve(JSON.parse(r.identities) as Identity[]) === user.id);
    if (mine.length) {
      await storeEvents(s, tx, user.id, mine.map((r) => JSON.parse(r.event) as WireEvent));
      for (let i = 0; i < mine.length; i += 500) {
        const part = mine.slice(i, i + 500);
        await tx.run(`DELETE FROM unmapped_usage WHERE id IN (${part.map(() => '?').join(',')})`, part.map((r) => r.id));
      }
    }
    return mine.length;
  });
  await audit(s.db, actor, 'import.assign', login, { kind, external_id: id, moved });
  return moved;
}
