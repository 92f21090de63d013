// The seats vendors report (Copilot seats, Cursor team members): a snapshot replaced at
// every import, and the people they belong to, resolved with the same mapping as usage
// (so a mapping the admin adds later applies to seats at once).
import type { Db } from '../db/connect.ts';
import * as imports from '../db/repos/imports.ts';
import { bumpVersion } from '../db/repos/versions.ts';
import type { Services } from '../services.ts';
import { resolver } from './mapping.ts';
import type { Identity, Seat } from './sources.ts';

export async function saveSeats(s: Services, vendor: string, seats: Seat[]): Promise<void> {
  await s.db.writer.transaction(async (tx) => {
    await imports.replaceSeats(tx, vendor, seats, Date.now());
    await bumpVersion(tx, 'usage');
  });
}

export interface OwnedSeat {
  /** The source of the vendor's usage (cursor-admin, github-copilot). */
  vendor: string;
  key: string;
  label: string;
  /** The person it belongs to, or null when nobody here is matched to it. */
  user_id: number | null;
  assigned_at: number | null;
  last_activity_at: number | null;
  last_activity_editor: string | null;
  plan: string | null;
  synced_at: number;
}

export async function seatsWithOwners(db: Db): Promise<OwnedSeat[]> {
  const [rows, who] = await Promise.all([imports.seats(db.sql), resolver(db.sql)]);
  return rows.map((r) => ({
    vendor: r.vendor, key: r.key, label: r.label, user_id: who.resolve(JSON.parse(r.identities) as Identity[]),
    assigned_at: r.assigned_at, last_activity_at: r.last_activity_at, last_activity_editor: r.last_activity_editor, plan: r.plan, synced_at: r.synced_at,
  }));
}
