// The team page per tool: who is active with which tool (a tool is the source of the usage:
// Claude Code, Codex, Cursor, GitHub Copilot, …), weekly, per team, and for the vendors that
// report seats (Cursor, Copilot) how many seats are assigned and how many were used in the
// window: an unused seat is a licence a manager can reclaim. Read from the per-facet read
// model (`tool:<source>` facets), so each tool's numbers are the reconciled ones.
import type { Db } from '../db/connect.ts';
import { unmappedDays } from '../db/repos/imports.ts';
import { activeFacetDays, facetSums, knownFacetValues, type Days } from '../ledger/read.ts';
import { seatsWithOwners } from '../imports/seats.ts';
import { COPILOT_SOURCE } from '../imports/copilot.ts';
import { addDays, type DayCalendar } from './days.ts';
import { members, weekStart, type TeamQuery } from './team.ts';
import { toolInfo, type ToolInfo } from './tools.ts';

export const WEEKS = 12;

export interface ToolRow extends ToolInfo {
  /** People with at least one message from this tool in the window. */
  active: number;
  messages: number;
  tokens: number;
  /** Active people per week, the last WEEKS weeks up to the window's end. */
  weekly: { week: string; active: number }[];
}

export interface TeamToolMix {
  team: string;
  members: number;
  /** Active people per tool in the window (tools in the order of `tools`). */
  tools: { source: string; active: number }[];
}

export interface UnusedSeat { label: string; login: string | null; last_activity_day: string | null; editor: string | null }

export interface SeatUse extends ToolInfo {
  assigned: number;
  /** Seats used in the window (the vendor's own last activity, or usage we imported). */
  active: number;
  unused: UnusedSeat[];
  /** Seats nobody here is matched to (counted only when no team is selected). */
  unmatched: number;
  /** The vendor reports each seat's last activity (Copilot); Cursor does not, so its unused seats only had no usage in the window. */
  reports_last_activity: boolean;
  synced_at: number;
}

export interface ToolsView {
  tools: ToolRow[];
  teams: TeamToolMix[];
  seats: SeatUse[];
}

const inRange = (day: string, from: string | null, to: string) => (from === null || day >= from) && day <= to;

export interface PersonToolSums { active_days: number; messages: number; tokens: number }

/**
 * Per tool, each of these people's figures over a range (only people active with it): from
 * the facet read model (all-time rows for "all"), one query per tool known.
 */
export async function toolSums(db: Db, range: Days, ids: Set<number>): Promise<Map<string, Map<number, PersonToolSums>>> {
  const out = new Map<string, Map<number, PersonToolSums>>();
  for (const tool of await knownFacetValues(db, 'tool:')) {
    const people = new Map<number, PersonToolSums>();
    for (const r of await facetSums(db, `tool:${tool}`, range)) {
      if (ids.has(r.user_id) && r.active_days > 0) people.set(r.user_id, { active_days: r.active_days, messages: r.events, tokens: r.tokens });
    }
    if (people.size) out.set(tool, people);
  }
  return out;
}

export async function toolsView(db: Db, calendar: DayCalendar, query: TeamQuery): Promise<ToolsView> {
  const { range } = query;
  const people = await members(db, query.team ?? null);
  const ids = new Set(people.map((m) => m.id));
  const loginOf = new Map(people.map((m) => [m.id, m.login]));
  const firstWeek = addDays(weekStart(range.to), -7 * (WEEKS - 1));

  const sums = await toolSums(db, range, ids);
  const activeIn = new Map([...sums].map(([tool, m]) => [tool, new Set(m.keys())]));
  // tool → week → people, for the last WEEKS weeks.
  const weekly = new Map<string, Map<string, Set<number>>>();
  for (const r of await activeFacetDays(db, 'tool:', { from: firstWeek, to: range.to })) {
    if (!ids.has(r.user_id)) continue;
    const tool = r.facet.slice('tool:'.length);
    const weeks = weekly.get(tool) ?? weekly.set(tool, new Map()).get(tool)!;
    const w = weekStart(r.day);
    (weeks.get(w) ?? weeks.set(w, new Set()).get(w)!).add(r.user_id);
  }

  const seats = await seatUse(db, calendar, query, ids, loginOf, activeIn);
  const sources = [...new Set([...sums.keys(), ...weekly.keys(), ...seats.map((x) => x.source)])];
  const tools: ToolRow[] = sources.map((source) => {
    const mine = [...(sums.get(source)?.values() ?? [])];
    const weeks = weekly.get(source) ?? new Map<string, Set<number>>();
    return {
      ...toolInfo(source), active: mine.length, messages: mine.reduce((n, x) => n + x.messages, 0), tokens: mine.reduce((n, x) => n + x.tokens, 0),
      weekly: Array.from({ length: WEEKS }, (_, i) => addDays(firstWeek, 7 * i)).map((week) => ({ week, active: weeks.get(week)?.size ?? 0 })),
    };
  });
  tools.sort((a, b) => b.active - a.active || b.messages - a.messages || a.name.localeCompare(b.name));

  const slugs = [...new Set(people.flatMap((m) => m.teams))].sort();
  const teams = slugs.map((team) => {
    const inTeam = people.filter((m) => m.teams.includes(team));
    return { team, members: inTeam.length, tools: tools.map((t) => ({ source: t.source, active: inTeam.filter((m) => activeIn.get(t.source)?.has(m.id)).length })) };
  });
  return { tools, teams, seats };
}

async function seatUse(db: Db, calendar: DayCalendar, query: TeamQuery, ids: Set<number>, loginOf: Map<number, string>, activeIn: Map<string, Set<number>>): Promise<SeatUse[]> {
  const { range } = query;
  const byVendor = new Map<string, Awaited<ReturnType<typeof seatsWithOwners>>>();
  for (const seat of await seatsWithOwners(db)) (byVendor.get(seat.vendor) ?? byVendor.set(seat.vendor, []).get(seat.vendor)!).push(seat);
  const out: SeatUse[] = [];
  for (const [vendor, list] of byVendor) {
    // With a team selected, only its people's seats; without, every seat (also those of people nobody is matched to).
    const mine = query.team ? list.filter((x) => x.user_id !== null && ids.has(x.user_id)) : list;
    const unmappedUse = new Set((await unmappedDays(db.sql, vendor, range.from, range.to)).map((r) => r.label.toLowerCase()));
    const unused: UnusedSeat[] = [];
    let active = 0;
    for (const seat of mine) {
      const vendorDay = seat.last_activity_at === null ? null : calendar.dayOf(seat.last_activity_at);
      const used = (vendorDay !== null && inRange(vendorDay, range.from, range.to))
        || (seat.user_id !== null && activeIn.get(vendor)?.has(seat.user_id))
        || unmappedUse.has(seat.key);
      if (used) { active++; continue; }
      unused.push({ label: seat.label, login: seat.user_id === null ? null : loginOf.get(seat.user_id) ?? null, last_activity_day: vendorDay, editor: seat.last_activity_editor });
    }
    unused.sort((a, b) => (a.last_activity_day ?? '').localeCompare(b.last_activity_day ?? '') || a.label.localeCompare(b.label));
    out.push({
      ...toolInfo(vendor), assigned: mine.length, active, unused,
      unmatched: query.team ? 0 : mine.filter((x) => x.user_id === null).length,
      reports_last_activity: vendor === COPILOT_SOURCE,
      synced_at: Math.max(...list.map((x) => x.synced_at)),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
