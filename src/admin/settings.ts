// Org settings an admin changes in the panel (they override config.toml's defaults):
// org name, time zone, who may see the leaderboard, and how long raw events are kept
// (rollups are kept for ever).
import type { Config } from '../config.ts';
import { isTimeZone } from '../config.ts';
import type { Db } from '../db/connect.ts';
import * as settingsRepo from '../db/repos/settings.ts';
import { BadInput } from '../errors.ts';
import { audit, type Actor } from './audit.ts';

export type Visibility = 'members' | 'public';

export interface OrgSettings {
  name: string;
  /** IANA zone for calendar days. A change applies to events stored from then on. */
  timezone: string;
  /** `members`: signed-in org members only; `public`: the leaderboard is readable without sign-in. */
  leaderboard_visibility: Visibility;
  /** Raw events older than this many days are deleted (rollups stay); null keeps them. */
  retention_days: number | null;
}

const KEYS = ['name', 'timezone', 'leaderboard_visibility', 'retention_days'] as const;

export function defaultSettings(cfg: Config): OrgSettings {
  return { name: cfg.org.name, timezone: cfg.org.timezone, leaderboard_visibility: 'members', retention_days: null };
}

export async function loadSettings(db: Db, cfg: Config): Promise<OrgSettings> {
  const out = defaultSettings(cfg);
  for (const [key, value] of await settingsRepo.all(db.sql)) {
    if (!(KEYS as readonly string[]).includes(key)) continue;
    try {
      (out as unknown as Record<string, unknown>)[key] = JSON.parse(value);
    } catch { /* a hand-edited bad value: keep the default */ }
  }
  return out;
}

export function checkSettings(input: Partial<Record<keyof OrgSettings, unknown>>): Partial<OrgSettings> {
  const out: Partial<OrgSettings> = {};
  if ('name' in input) {
    const name = String(input.name ?? '').trim();
    if (!name || name.length > 80 || /\p{Cc}/u.test(name)) throw new BadInput('name: 1-80 printable characters');
    out.name = name;
  }
  if ('timezone' in input) {
    const tz = String(input.timezone ?? '').trim();
    if (!isTimeZone(tz)) throw new BadInput(`timezone: "${tz}" is not an IANA time zone such as Europe/Berlin`);
    out.timezone = tz;
  }
  if ('leaderboard_visibility' in input) {
    const v = String(input.leaderboard_visibility);
    if (v !== 'members' && v !== 'public') throw new BadInput('leaderboard_visibility: members or public');
    out.leaderboard_visibility = v;
  }
  if ('retention_days' in input) {
    const raw = input.retention_days;
    if (raw === null || raw === '' || raw === undefined) out.retention_days = null;
    else {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 30 || n > 36500) throw new BadInput('retention_days: a whole number of days, at least 30, or empty to keep raw events');
      out.retention_days = n;
    }
  }
  return out;
}

export async function saveSettings(db: Db, cfg: Config, input: Partial<Record<keyof OrgSettings, unknown>>, actor: Actor): Promise<OrgSettings> {
  const changes = checkSettings(input);
  const before = await loadSettings(db, cfg);
  await db.transaction(async (tx) => {
    for (const [key, value] of Object.entries(changes)) await settingsRepo.put(tx, key, JSON.stringify(value));
    await audit(tx, actor, 'settings.update', null, { before, after: { ...before, ...changes } });
  });
  return { ...before, ...changes };
}
