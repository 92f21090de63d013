// Mapping provider identities to people: an admin-maintained table first (API key id,
// account id, OpenAI user id, or an email alias), then the person's verified email.
// Usage nobody maps to waits in unmapped_usage; assigning its identity stores it for
// that person.
import type { Db } from '../db/connect.ts';
import type { Sql } from '../db/sql.ts';
import * as imports from '../db/repos/imports.ts';
import { activeEmails } from '../db/repos/users.ts';
import { BadInput } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { requireUser } from '../users/users.ts';
import type { Services } from '../services.ts';
import { priceTableIn } from '../ledger/prices.ts';
import { storeInTx } from '../ledger/write.ts';
import { checkBatch, type WireEvent } from '../../agent/wire.ts';
import type { Activity, Identity, ImportedUsage } from './sources.ts';

export const IDENTITY_KINDS = ['email', 'anthropic_account', 'anthropic_api_key', 'anthropic_api_key_name', 'openai_user', 'openai_api_key'] as const;

export interface Resolver { resolve(identities: Identity[]): number | null }

/** Loads the mapping once per page of usage. */
export async function resolver(q: Sql): Promise<Resolver> {
  const map = new Map<string, number>();
  for (const r of await imports.identityMap(q)) map.set(`${r.kind}\u0000${r.external_id.toLowerCase()}`, r.user_id);
  const emails = await activeEmails(q);
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
export async function storeImported(s: Services, provider: string, items: ImportedUsage[], activity: Activity[] = []): Promise<{ stored: number; duplicates: number; unmapped: number; rejected: number }> {
  return s.db.writer.transaction(async (tx) => {
    const who = await resolver(tx);
    for (const a of activity) {
      const user = who.resolve(a.identities);
      if (user !== null) await imports.putActivity(tx, user, a);
    }
    const byUser = new Map<number, WireEvent[]>();
    let unmapped = 0;
    for (const it of items) {
      const user = who.resolve(it.identities);
      if (user === null) {
        unmapped += await imports.setAside(tx, {
          provider, identities: JSON.stringify(it.identities), label: it.label.slice(0, 320), event_id: it.event.id!, event: JSON.stringify(it.event),
          tokens: it.event.input_tokens + it.event.output_tokens + it.event.cache_read_tokens + it.event.cache_write_tokens,
          day: new Date(it.event.ts).toISOString().slice(0, 10),
        });
        continue;
      }
      const list = byUser.get(user) ?? [];
      list.push(it.event);
      byUser.set(user, list);
    }
    const out = { stored: 0, duplicates: 0, unmapped, rejected: 0 };
    for (const [userId, events] of byUser) {
      const r = await storeEvents(s, tx, userId, events);
      out.stored += r.accepted;
      out.duplicates += r.duplicates;
      out.rejected += r.rejected;
    }
    return out;
  });
}

async function storeEvents(s: Services, tx: Sql, userId: number, events: WireEvent[]) {
  // The same field rules as the ingest API (a provider's daily bucket may hold more tokens
  // than one response): an event that breaks them is left out.
  const valid = events.filter((e) => checkBatch({ events: [e] }, Date.now(), { maxEventTokens: Number.MAX_SAFE_INTEGER }).ok);
  // Imports carry no agent token.
  const r = await storeInTx(tx, { userId, tokenId: null, replay: null, now: Date.now(), minTs: 0 }, valid, s.calendar(), await priceTableIn(s.db, tx));
  return { ...r, rejected: events.length - valid.length };
}

export interface UnmappedGroup { provider: string; label: string; identities: Identity[]; tokens: number; events: number; first_day: string; last_day: string }

/** Unmapped usage grouped by who it belongs to, for the admin to assign. */
export async function unmappedUsage(db: Db): Promise<UnmappedGroup[]> {
  return (await imports.unmappedGroups(db.sql)).map((r) => ({ ...r, identities: JSON.parse(r.identities) as Identity[] }));
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
    await imports.mapIdentity(tx, kind, id, user.id);
    const rows = await imports.unmappedRows(tx);
    const who = await resolver(tx);
    const mine = rows.filter((r) => who.resolve(JSON.parse(r.identities) as Identity[]) === user.id);
    if (mine.length) {
      await storeEvents(s, tx, user.id, mine.map((r) => JSON.parse(r.event) as WireEvent));
      await imports.removeUnmapped(tx, mine.map((r) => r.id));
    }
    await audit(tx, actor, 'import.assign', login, { kind, external_id: id, moved: mine.length });
    return mine.length;
  });
  return moved;
}
