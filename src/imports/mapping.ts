// Mapping vendor identities to people: an admin-maintained table first (API key id,
// account id, OpenAI user id, GitHub login, or an email alias), then the person's verified
// email, then (GitHub Copilot) the GitHub account a person signed in with. Usage nobody
// maps to waits in unmapped_usage (and a vendor's daily activity in vendor_activity without
// an owner); assigning its identity stores it for that person.
import type { Db } from '../db/connect.ts';
import type { Sql } from '../db/sql.ts';
import * as imports from '../db/repos/imports.ts';
import { activeEmails, githubLinked } from '../db/repos/users.ts';
import { BadInput } from '../errors.ts';
import { audit, type Actor } from '../admin/audit.ts';
import { requireUser } from '../users/users.ts';
import type { Services } from '../services.ts';
import { priceTableIn } from '../ledger/prices.ts';
import { storeInTx, type LedgerEvent } from '../ledger/write.ts';
import { bumpVersion } from '../db/repos/versions.ts';
import { checkBatch } from '../../agent/wire.ts';
import type { Activity, Identity, ImportedUsage, VendorActivity } from './sources.ts';

export const IDENTITY_KINDS = ['email', 'anthropic_account', 'anthropic_api_key', 'anthropic_api_key_name', 'openai_user', 'openai_api_key', 'github_login', 'github_id'] as const;

export interface Resolver { resolve(identities: Identity[]): number | null }

/** Loads the mapping once per page of usage. */
export async function resolver(q: Sql): Promise<Resolver> {
  const map = new Map<string, number>();
  for (const r of await imports.identityMap(q)) map.set(`${r.kind}\u0000${r.external_id.toLowerCase()}`, r.user_id);
  const emails = await activeEmails(q);
  const github = await githubLinked(q);
  return {
    resolve(identities) {
      for (const [kind, id] of identities) {
        const hit = map.get(`${kind}\u0000${id.toLowerCase()}`);
        if (hit !== undefined) return hit;
      }
      for (const [kind, id] of identities) {
        if (kind === 'email' && emails.has(id.toLowerCase())) return emails.get(id.toLowerCase())!;
      }
      // GitHub users: by the account id a person signed in with, else by login, ignoring
      // case, and only for accounts linked to GitHub: a local account that merely has the
      // same login is not that GitHub user, nor is one linked to a different GitHub id.
      const githubId = identities.find(([k]) => k === 'github_id')?.[1];
      if (githubId !== undefined && github.byId.has(Number(githubId))) return github.byId.get(Number(githubId))!;
      const login = identities.find(([k]) => k === 'github_login')?.[1];
      const linked = login === undefined ? undefined : github.byLogin.get(login.toLowerCase());
      if (linked && (linked.github_id === null || githubId === undefined || String(linked.github_id) === githubId)) return linked.id;
      return null;
    },
  };
}

export interface StoredPage { stored: number; duplicates: number; unmapped: number; rejected: number }

/**
 * Stores one page: mapped usage as events of its person, the rest set aside; Claude Code
 * analytics of mapped people; other vendors' daily activity for everyone (with its owner,
 * or waiting for one).
 */
export async function storeImported(s: Services, provider: string, items: ImportedUsage[], activity: Activity[] = [], vendorActivity: VendorActivity[] = []): Promise<StoredPage> {
  return s.db.writer.transaction(async (tx) => {
    const who = await resolver(tx);
    for (const a of activity) {
      const user = who.resolve(a.identities);
      if (user !== null) await imports.putActivity(tx, user, a);
    }
    for (const a of vendorActivity) await imports.putVendorActivity(tx, identityKey(a.identities), who.resolve(a.identities), a);
    if (vendorActivity.length) await bumpVersion(tx, 'usage');
    const byUser = new Map<number, LedgerEvent[]>();
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
      // Usage set aside by an earlier import, whose person is known now (an email or a
      // GitHub sign-in added since): it is stored now, so it waits no longer.
      await imports.removeUnmappedEvents(tx, events.map((e) => e.id!).filter(Boolean));
    }
    return out;
  });
}

/** The one identity a vendor's activity row is kept under: its first (most stable) one. */
export function identityKey(identities: Identity[]): string {
  return identities.length ? `${identities[0][0]} ${identities[0][1].toLowerCase()}`.slice(0, 320) : 'unknown';
}

async function storeEvents(s: Services, tx: Sql, userId: number, events: LedgerEvent[]) {
  // The same field rules as the ingest API (a vendor's daily bucket may hold more tokens
  // than one response): an event that breaks them is left out. The server's own extras
  // (messages, billed cents) are not wire fields; the check sees the rest.
  const valid = events.filter(({ messages: _m, billed_cents: _b, ...wire }) => checkBatch({ events: [wire] }, Date.now(), { maxEventTokens: Number.MAX_SAFE_INTEGER }).ok);
  // Imports carry no agent token. In parts: one statement's parameters have a limit.
  const table = await priceTableIn(s.db, tx);
  const r = { accepted: 0, duplicates: 0 };
  for (let i = 0; i < valid.length; i += 500) {
    const part = await storeInTx(tx, { userId, tokenId: null, replay: null, now: Date.now(), minTs: 0 }, valid.slice(i, i + 500), s.calendar(), table);
    r.accepted += part.accepted;
    r.duplicates += part.duplicates;
  }
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
      await storeEvents(s, tx, user.id, mine.map((r) => JSON.parse(r.event) as LedgerEvent));
      await imports.removeUnmapped(tx, mine.map((r) => r.id));
    }
    // A vendor's daily activity waiting for the same identity follows it.
    const waiting = (await imports.ownerlessActivity(tx)).filter((r) => who.resolve(JSON.parse(r.identities) as Identity[]) === user.id);
    await imports.ownActivity(tx, waiting, user.id);
    await audit(tx, actor, 'import.assign', login, { kind, external_id: id, moved: mine.length });
    return mine.length;
  });
  return moved;
}
