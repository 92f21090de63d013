// The team adoption view for managers: who is active, who adopted or lapsed, weekly
// actives, per-team figures and the org's model mix. Reads the read model (user_days,
// user_totals) and, for mixes, the rollups of the window.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import { groupCost, type PriceTable } from '../pricing/table.ts';
import { addDays } from './days.ts';
import { trustOf } from './trust.ts';
import { rollupGroups } from './rollup-groups.ts';
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

const q = <T extends object>(db: Db, sql: string, replacements: unknown[] = []) =>
  db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

export async function members(db: Db, team: string | null = null): Promise<Member[]> {
  const rows = await q<{ id: number; login: string; name: string | null; teams: string; last_seen_at: string | null }>(db,
    'SELECT id, login, name, teams, last_seen_at FROM users WHERE active = ? ORDER BY login', [true]);
  return rows
    .map((r) => ({ id: r.id, login: r.login, name: r.name, teams: parseTeams(r.teams), last_seen: r.last_seen_at != null }))
    .filter((m) => team === null || m.teams.includes(team));
}

function parseTeams(raw: string): string[] {
  try {
    const v = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

interface DaySum { user_id: number; tokens: number; cost_usd: number; unpriced_tokens: number; replaced_tokens: number; events: number }

/** Per user sums over a range, from user_days (or user_totals for "all"). */
async function sumsByUser(db: Db, range: DayRange): Promise<Map<number, DaySum>> {
  const tokens = 'input_tokens + output_tokens + cache_read_tokens + cache_write_tokens';
  const rows = range.from === null
    ? await q<DaySum>(db, `SELECT user_id, ${tokens} AS tokens, cost_usd, unpriced_tokens, replaced_tokens, events FROM user_totals WHERE events > 0`)
    : await q<DaySum>(db, `SELECT user_id, SUM(${tokens}) AS tokens, SUM(cost_usd) AS cost_usd, SUM(unpriced_tokens) AS unpriced_tokens,
                                  SUM(replaced_tokens) AS replaced_tokens, SUM(events) AS events
                             FROM user_days WHERE day >= ? AND day <= ? GROUP BY user_id`, [range.from, range.to]);
  return new Map(rows.filter((r) => Number(r.events) > 0).map((r) => [Number(r.user_id), { ...r, tokens: Number(r.tokens), cost_usd: Number(r.cost_usd), unpriced_tokens: Number(r.unpriced_tokens), replaced_tokens: Number(r.replaced_tokens ?? 0), events: Number(r.events) }]));
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

  const totals = await q<{ user_id: number; first_day: string | null; events: number }>(db, 'SELECT user_id, first_day, events FROM user_totals');
  const everActive = new Set(totals.filter((t) => Number(t.events) > 0).map((t) => Number(t.user_id)));
  const newAdopters = totals.filter((t) => ids.has(Number(t.user_id)) && t.first_day !== null && Number(t.events) > 0
    && (range.from === null || t.first_day >= range.from) && t.first_day <= range.to).map((t) => Number(t.user_id));
  const neverActive = people.filter((m) => m.last_seen && !everActive.has(m.id)).map((m) => m.id);
  const agents = await q<{ user_id: number }>(db, 'SELECT DISTINCT user_id FROM agent_tokens WHERE revoked_at IS NULL AND last_used_at IS NOT NULL');
  const quiet = agents.map((a) => Number(a.user_id)).filter((id) => ids.has(id) && !now.has(id));

  // Weekly active users: the 12 weeks up to and including the current one.
  const lastWeek = weekStart(range.to);
  const firstWeek = addDays(lastWeek, -7 * 11);
  const weekRows = await q<{ user_id: number; day: string }>(db, 'SELECT user_id, day FROM user_days WHERE day >= ? AND day <= ? AND events > 0', [firstWeek, range.to]);
  const weekSets = new Map<string, Set<number>>();
  for (let i = 0; i < 12; i++) weekSets.set(addDays(firstWeek, 7 * i), new Set());
  for (const r of weekRows) if (ids.has(Number(r.user_id))) weekSets.get(weekStart(r.day))?.add(Number(r.user_id));

  // Mixes come from the rollups of the window (model, provider, source per user), with the
  // reconciliation rule applied so they add up to the totals (replaced tokens left out).
  const mixRows = (await rollupGroups(db, { from: range.from, to: range.to }))
    .filter((g) => g.input_tokens + g.output_tokens + g.cache_read_tokens + g.cache_write_tokens > 0);
  const models = new Map<string, { provider: string; model: string; tokens: number; cost: number | null }>();
  const providers = new Map<string, number>();
  const teamModels = new Map<string, Map<string, number>>();
  const teamMeasured = new Map<string, [number, number]>();
  let local = 0;
  let cloud = 0;
  const unpriced = new Set<string>();
  for (const r of mixRows) {
    const uid = Number(r.user_id);
    if (!ids.has(uid)) continue;
    const tokens = Number(r.input_tokens) + Number(r.output_tokens) + Number(r.cache_read_tokens) + Number(r.cache_write_tokens);
    const isLocal = Boolean(Number(r.is_local));
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
      if (trustOf(r.source) === 'measured') share[0] += tokens;
      teamMeasured.set(t, share);
    }
  }
  // Model cost from the same rollup rows, at the current prices.
  for (const r of mixRows) {
    if (!ids.has(Number(r.user_id))) continue;
    const m = models.get(`${r.provider}\u0000${r.model}`)!;
    if (m.cost === null) continue;
    const c = groupCost(prices, { ...r, input_tokens: Number(r.input_tokens), output_tokens: Number(r.output_tokens), cache_read_tokens: Number(r.cache_read_tokens), cache_write_tokens: Number(r.cache_write_tokens), is_local: Boolean(Number(r.is_local)), tier: Number(r.tier) });
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
