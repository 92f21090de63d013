// The team adoption view for managers: who is active, who adopted or lapsed, weekly
// actives, per-team figures and the org's model mix. Reads the read model (user_days,
// user_totals) and, for mixes, the rollups of the window.
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import { usersWithUsedTokens } from '../db/repos/tokens.ts';
import { groupCost, type PriceTable } from '../pricing/table.ts';
import { activePersonDays, firstDays, personSums, rollupGroups } from '../ledger/read.ts';
import type { PersonSums } from '../db/repos/usage-read.ts';
import { tokensOf, trustOf } from '../ledger/rules.ts';
import { addDays } from './days.ts';
import { previousRange, type DayRange } from './window.ts';

export interface TeamQuery {
  range: DayRange;
  /** A GitHub team slug: only its members; null for everyone. */
  team?: string | null;
}

export interface Member {
  id: number;
  login: string;
  name: string | null;
  teams: string[];
  last_seen: boolean;
}

export interface TeamRow {
  team: string;
  members: number;
  active: number;
  adoption_pct: number;
  tokens: number;
  cost_usd: number;
  cost_partial: boolean;
  top_models: string[];
  /** Share of the team's tokens that was measured (proxy, telemetry, provider APIs), 0..1. */
  measured_share: number;
  /** Self-reported tokens left out because provider data covered the same person-day (src/usage/reconcile.ts). */
  replaced_tokens: number;
}

export interface TeamView {
  range: DayRange;
  members: number;
  active: number;
  adoption_pct: number;
  new_adopters: string[];
  lapsed: string[];
  never_active: string[];
  quiet_agents: string[];
  weekly: { week: string; active: number }[];
  teams: TeamRow[];
  models: { provider: string; model: string; tokens: number; share: number; cost_usd: number | null }[];
  providers: { provider: string; tokens: number; share: number }[];
  local_tokens: number;
  cloud_tokens: number;
  tokens_per_active_user: { median: number; p90: number };
  cost_usd: number;
  cost_partial: boolean;
  unpriced_models: string[];
  /** Self-reported tokens replaced by provider-anchored data in the window (the reconciliation rule). */
  replaced_tokens: number;
}

export async function members(db: Db, team: string | null = null): Promise<Member[]> {
  return (await users.listActive(db.sql))
    .map((u) => ({ id: u.id, login: u.login, name: u.name, teams: u.teams, last_seen: u.last_seen_at !== null }))
    .filter((m) => team === null || m.teams.includes(team));
}

type DaySum = PersonSums;

/** Per user sums over a range, from the read model (active people only). */
async function sumsByUser(db: Db, range: DayRange): Promise<Map<number, DaySum>> {
  return new Map((await personSums(db, range)).filter((r) => r.events > 0).map((r) => [r.user_id, r]));
}

export function percentileOf(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

/** Monday of the week of a 'YYYY-MM-DD' day. */
export function weekStart(day: string): string {
  const dow = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -dow);
}

const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1000) / 10);

export async function teamView(db: Db, prices: PriceTable, query: TeamQuery): Promise<TeamView> {
  const { range } = query;
  const people = await members(db, query.team ?? null);
  const ids = new Set(people.map((m) => m.id));
  const byId = new Map(people.map((m) => [m.id, m]));
  const now = await sumsByUser(db, range);
  const activeIds = [...now.keys()].filter((id) => ids.has(id));
  const loginsOf = (xs: number[]) => xs.map((id) => byId.get(id)!.login).sort();

  const prev = previousRange(range);
  const before = prev ? await sumsByUser(db, prev) : new Map<number, DaySum>();
  const lapsed = [...before.keys()].filter((id) => ids.has(id) && !now.has(id));

  const totals = await firstDays(db);
  const everActive = new Set(totals.filter((t) => t.events > 0).map((t) => t.user_id));
  const newAdopters = totals.filter((t) => ids.has(t.user_id) && t.first_day !== null && t.events > 0
    && (range.from === null || t.first_day >= range.from) && t.first_day <= range.to).map((t) => t.user_id);
  const neverActive = people.filter((m) => m.last_seen && !everActive.has(m.id)).map((m) => m.id);
  const quiet = (await usersWithUsedTokens(db.sql)).filter((id) => ids.has(id) && !now.has(id));

  // Weekly active users: the 12 weeks up to and including the current one.
  const lastWeek = weekStart(range.to);
  const firstWeek = addDays(lastWeek, -7 * 11);
  const weekRows = await activePersonDays(db, firstWeek, range.to);
  const weekSets = new Map<string, Set<number>>();
  for (let i = 0; i < 12; i++) weekSets.set(addDays(firstWeek, 7 * i), new Set());
  for (const r of weekRows) if (ids.has(r.user_id)) weekSets.get(weekStart(r.day))?.add(r.user_id);

  // Mixes come from the rollups of the window (model, provider, source per user), with the
  // reconciliation rule applied so they add up to the totals (replaced tokens left out).
  const mixRows = (await rollupGroups(db, { from: range.from, to: range.to }))
    .filter((g) => tokensOf(g) > 0);
  const models = new Map<string, { provider: string; model: string; tokens: number; cost: number | null }>();
  const providers = new Map<string, number>();
  const teamModels = new Map<string, Map<string, number>>();
  const teamMeasured = new Map<string, [number, number]>();
  let local = 0;
  let cloud = 0;
  const unpriced = new Set<string>();
  for (const r of mixRows) {
    const uid = r.user_id;
    if (!ids.has(uid)) continue;
    const tokens = tokensOf(r);
    const isLocal = r.is_local;
    const key = `${r.provider}\u0000${r.model}`;
    const m = models.get(key) ?? { provider: r.provider, model: r.model, tokens: 0, cost: 0 };
    m.tokens += tokens;
    const price = isLocal ? null : prices.lookup(r.model);
    if (!isLocal && !price) { m.cost = null; unpriced.add(r.model); }
    models.set(key, m);
    providers.set(r.provider, (providers.get(r.provider) ?? 0) + tokens);
    if (isLocal) local += tokens; else cloud += tokens;
    for (const t of byId.get(uid)!.teams) {
      const tm = teamModels.get(t) ?? new Map<string, number>();
      tm.set(r.model, (tm.get(r.model) ?? 0) + tokens);
      teamModels.set(t, tm);
      const share = teamMeasured.get(t) ?? [0, 0];
      share[1] += tokens;
      if (trustOf(r.source) !== 'self-reported') share[0] += tokens;
      teamMeasured.set(t, share);
    }
  }
  // Model cost from the same rollup rows, at the current prices.
  for (const r of mixRows) {
    if (!ids.has(r.user_id)) continue;
    const m = models.get(`${r.provider}\u0000${r.model}`)!;
    if (m.cost === null) continue;
    const c = groupCost(prices, r);
    m.cost = c === null ? null : m.cost + c;
  }
  const totalTokens = [...models.values()].reduce((n, m) => n + m.tokens, 0);

  const teamSlugs = [...new Set(people.flatMap((m) => m.teams))].sort();
  const teams: TeamRow[] = teamSlugs.map((slug) => {
    const inTeam = people.filter((m) => m.teams.includes(slug));
    const act = inTeam.filter((m) => now.has(m.id));
    const sums = act.map((m) => now.get(m.id)!);
    const tm = [...(teamModels.get(slug) ?? new Map()).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const share = teamMeasured.get(slug) ?? [0, 0];
    return {
      team: slug,
      members: inTeam.length,
      active: act.length,
      adoption_pct: pct(act.length, inTeam.length),
      tokens: sums.reduce((n, s) => n + s.tokens, 0),
      cost_usd: round(sums.reduce((n, s) => n + s.cost_usd, 0)),
      cost_partial: sums.some((s) => s.unpriced_tokens > 0),
      top_models: tm.slice(0, 3).map(([model]) => model),
      measured_share: share[1] === 0 ? 0 : Math.round((share[0] / share[1]) * 1000) / 1000,
      replaced_tokens: sums.reduce((n, s) => n + s.replaced_tokens, 0),
    };
  });

  const perUser = activeIds.map((id) => now.get(id)!.tokens).sort((a, b) => a - b);
  const activeSums = activeIds.map((id) => now.get(id)!);
  return {
    range,
    members: people.length,
    active: activeIds.length,
    adoption_pct: pct(activeIds.length, people.length),
    new_adopters: loginsOf(newAdopters),
    lapsed: loginsOf(lapsed),
    never_active: loginsOf(neverActive),
    quiet_agents: loginsOf(quiet),
    weekly: [...weekSets.entries()].map(([week, set]) => ({ week, active: set.size })),
    teams,
    models: [...models.values()].sort((a, b) => b.tokens - a.tokens || a.model.localeCompare(b.model))
      .map((m) => ({ provider: m.provider, model: m.model, tokens: m.tokens, share: totalTokens ? Math.round((m.tokens / totalTokens) * 1000) / 1000 : 0, cost_usd: m.cost === null ? null : round(m.cost) })),
    providers: [...providers.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([provider, tokens]) => ({ provider, tokens, share: totalTokens ? Math.round((tokens / totalTokens) * 1000) / 1000 : 0 })),
    local_tokens: local,
    cloud_tokens: cloud,
    tokens_per_active_user: { median: percentileOf(perUser, 0.5), p90: percentileOf(perUser, 0.9) },
    cost_usd: round(activeSums.reduce((n, s) => n + s.cost_usd, 0)),
    cost_partial: activeSums.some((s) => s.unpriced_tokens > 0),
    unpriced_models: [...unpriced].sort(),
    replaced_tokens: activeSums.reduce((n, s) => n + s.replaced_tokens, 0),
  };
}

function round(v: number): number {
  return Math.round(v * 1e10) / 1e10;
}
