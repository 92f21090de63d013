// A person's profile: totals for a window, a year of days for the heatmap, model mix,
// daily trend, streaks, recent sessions (timing and counts only), skills and sources.
// Totals come from the read model, breakdowns from that person's rollups (reconciled the
// same way), so every part adds up to the totals and to `tokenboard stats`.
import type { Db } from '../db/connect.ts';
import * as users from '../db/repos/users.ts';
import { groupCost, roundUsd, type PriceTable } from '../pricing/table.ts';
import { daysOf, recentSessions, rollupGroups, skillsOf } from '../ledger/read.ts';
import { tokensOf, trustOf, type Trust } from '../ledger/rules.ts';
import { addDays, type DayCalendar } from './days.ts';
import type { Person } from './leaderboard.ts';
import { fillDays, streaks, weekly, type DayValue, type Streaks } from './streaks.ts';
import type { DayRange } from './window.ts';
import { dayStartMs } from './zone.ts';

export interface ProfilePerson extends Person {
  hidden: boolean;
  public_badge: boolean;
}

export interface ProfileTotals {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  tokens: number;
  messages: number;
  sessions: number;
  active_days: number;
  cost_usd: number;
  cost_partial: boolean;
  unpriced_models: string[];
  /** Self-reported tokens left out because the provider's own numbers won. */
  replaced_tokens: number;
}

export interface ModelShare {
  provider: string;
  model: string;
  is_local: boolean;
  tokens: number;
  messages: number;
  share: number;
  cost_usd: number | null;
}

export interface SourceShare {
  source: string;
  trust: Trust;
  tokens: number;
  messages: number;
  share: number;
}

export interface SessionRow {
  start: number;
  duration_ms: number;
  events: number;
  tokens: number;
  model: string;
  source: string;
}

export interface Profile {
  person: ProfilePerson;
  range: DayRange;
  totals: ProfileTotals;
  /** 365 days ending today. */
  heatmap: DayValue[];
  trend: { bucket: 'day' | 'week'; points: DayValue[] };
  streaks: Streaks;
  /** All-time active days and the first/last of them. */
  lifetime: { active_days: number; first_day: string | null; last_day: string | null };
  models: ModelShare[];
  sources: SourceShare[];
  sessions: SessionRow[];
  skills: { name: string; count: number }[];
}

export const HEATMAP_DAYS = 365;
export const RECENT_SESSIONS = 20;

export async function findPerson(db: Db, login: string): Promise<(ProfilePerson & { active: boolean }) | null> {
  const u = await users.byLogin(db.sql, login);
  if (!u) return null;
  return { id: u.id, login: u.login, name: u.name, avatar_url: u.avatar_url, teams: u.teams, hidden: u.hidden, public_badge: u.public_badge, active: u.active };
}

/**
 * Whether a viewer may see someone's profile: deactivated people have none; hiding oneself
 * from the leaderboard hides the profile from colleagues too, but not from oneself or from
 * managers and admins (who see the team view anyway).
 */
export function canSeeProfile(person: { id: number; hidden: boolean; active: boolean }, viewer: { id: number; role: string } | null): boolean {
  if (!person.active) return false;
  if (!person.hidden) return true;
  return viewer !== null && (viewer.id === person.id || viewer.role === 'manager' || viewer.role === 'admin');
}

const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

export async function profile(db: Db, prices: PriceTable, calendar: DayCalendar, person: ProfilePerson, range: DayRange): Promise<Profile> {
  const today = range.to;
  const inRange = (day: string) => (range.from === null || day >= range.from) && day <= range.to;

  const dayRows = await daysOf(db, person.id, today);
  const totals: ProfileTotals = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, tokens: 0, messages: 0, sessions: 0, active_days: 0, cost_usd: 0, cost_partial: false, unpriced_models: [], replaced_tokens: 0 };
  const days: DayValue[] = [];
  const activeDays: string[] = [];
  for (const r of dayRows) {
    const v: DayValue = { day: r.day, tokens: r.tokens, messages: r.events };
    days.push(v);
    if (v.messages > 0) activeDays.push(r.day);
    if (!inRange(r.day)) continue;
    totals.input_tokens += r.input_tokens;
    totals.output_tokens += r.output_tokens;
    totals.cache_read_tokens += r.cache_read_tokens;
    totals.cache_write_tokens += r.cache_write_tokens;
    totals.tokens += v.tokens;
    totals.messages += v.messages;
    totals.sessions += r.sessions;
    totals.active_days += v.messages > 0 ? 1 : 0;
    totals.cost_usd += r.cost_usd;
    totals.replaced_tokens += r.replaced_tokens;
    if (r.unpriced_tokens > 0) totals.cost_partial = true;
  }
  totals.cost_usd = roundUsd(totals.cost_usd);

  const groups = await rollupGroups(db, { userIds: [person.id], from: range.from, to: range.to });
  const models = new Map<string, ModelShare>();
  const sources = new Map<string, SourceShare>();
  const unpriced = new Set<string>();
  for (const g of groups) {
    const t = tokensOf(g);
    const key = `${g.provider}\u0000${g.model}`;
    const m = models.get(key) ?? { provider: g.provider, model: g.model, is_local: g.is_local, tokens: 0, messages: 0, share: 0, cost_usd: 0 };
    m.tokens += t;
    m.messages += g.events;
    const cost = groupCost(prices, g);
    if (cost === null) { m.cost_usd = null; if (t > 0) unpriced.add(g.model); } else if (m.cost_usd !== null) m.cost_usd += cost;
    models.set(key, m);
    const s = sources.get(g.source) ?? { source: g.source, trust: trustOf(g.source), tokens: 0, messages: 0, share: 0 };
    s.tokens += t;
    s.messages += g.events;
    sources.set(g.source, s);
  }
  totals.unpriced_models = [...unpriced].sort();
  const byTokens = <T extends { tokens: number }>(a: T, b: T) => b.tokens - a.tokens;
  const modelList = [...models.values()].map((m) => ({ ...m, share: share(m.tokens, totals.tokens), cost_usd: m.cost_usd === null ? null : roundUsd(m.cost_usd) }))
    .sort((a, b) => byTokens(a, b) || a.model.localeCompare(b.model));
  const sourceList = [...sources.values()].map((s) => ({ ...s, share: share(s.tokens, totals.tokens) }))
    .sort((a, b) => byTokens(a, b) || a.source.localeCompare(b.source));

  const start = range.from === null ? 0 : dayStartMs(range.from, calendar);
  const end = dayStartMs(addDays(range.to, 1), calendar);
  const sessionRows = await recentSessions(db, person.id, start, end, RECENT_SESSIONS);
  const skillRows = await skillsOf(db, person.id, range, 50);

  const heatFrom = addDays(today, -(HEATMAP_DAYS - 1));
  const trendFrom = range.from === null ? (activeDays[0] ?? today) : range.days !== null && range.days < 14 ? addDays(today, -13) : range.from;
  const trendDays = fillDays(days.filter((d) => d.day >= trendFrom), trendFrom, today);
  // Long spans read better by week: more than half a year of days is too dense to draw.
  const trend = trendDays.length > 183 ? { bucket: 'week' as const, points: weekly(trendDays) } : { bucket: 'day' as const, points: trendDays };

  return {
    person, range, totals,
    heatmap: fillDays(days.filter((d) => d.day >= heatFrom), heatFrom, today),
    trend,
    streaks: streaks(activeDays, today),
    lifetime: { active_days: activeDays.length, first_day: activeDays[0] ?? null, last_day: activeDays[activeDays.length - 1] ?? null },
    models: modelList,
    sources: sourceList,
    sessions: sessionRows.map((s) => ({ start: s.first_ts, duration_ms: s.last_ts - s.first_ts, events: s.events, tokens: s.tokens, model: s.model, source: s.source })),
    skills: skillRows,
  };
}
