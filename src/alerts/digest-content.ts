// The weekly digest's content (pure): last week against the week before — active people,
// top people and top movers (people hidden from the leaderboard are counted, never named),
// estimated spend, models first seen without a price, and budgets near their limit.
import type { PersonSums } from '../db/repos/usage-read.ts';
import type { BudgetStatus } from '../budgets/spend.ts';
import type { UnknownModel } from '../pricing/inbox.ts';
import type { PeriodRange } from '../budgets/period.ts';

export interface DigestPerson { id: number; login: string; name: string | null; hidden: boolean }

export interface DigestInput {
  week: PeriodRange;
  previous: PeriodRange;
  /** Active accounts. */
  people: readonly DigestPerson[];
  now: ReadonlyMap<number, Pick<PersonSums, 'tokens' | 'cost_usd' | 'unpriced_tokens' | 'events'>>;
  before: ReadonlyMap<number, Pick<PersonSums, 'tokens' | 'cost_usd' | 'unpriced_tokens' | 'events'>>;
  unknownModels: readonly UnknownModel[];
  budgets: readonly BudgetStatus[];
  orgName: string;
}

export interface Digest {
  org: string;
  week: PeriodRange;
  previous: PeriodRange;
  people: { members: number; active: number; active_before: number; active_change: number };
  tokens: { week: number; previous: number };
  spend: { usd: number; usd_before: number; partial: boolean; partial_before: boolean; change_pct: number | null };
  top_people: { login: string; name: string | null; tokens: number; cost_usd: number }[];
  top_movers: { login: string; name: string | null; tokens: number; tokens_before: number; change: number }[];
  new_unknown_models: { provider: string; model: string; tokens: number; first_seen: string }[];
  budgets_near_limit: { id: number; scope: string; subject: string; period: string; percent: number; spent_usd: number; limit_usd: number | null; tokens: number; limit_tokens: number | null; cost_partial: boolean }[];
}

export const TOP_PEOPLE = 5;
export const TOP_MOVERS = 3;
/** A budget at this share of its limit or more is "near its limit". */
export const NEAR_LIMIT = 0.8;

const cents = (v: number) => Math.round(v * 100) / 100;
const byTokens = <T extends { tokens: number; login: string }>(a: T, b: T) => b.tokens - a.tokens || a.login.localeCompare(b.login);

export function buildDigest(i: DigestInput): Digest {
  const activeIn = (m: DigestInput['now']) => i.people.filter((p) => (m.get(p.id)?.events ?? 0) > 0);
  const nowActive = activeIn(i.now);
  const beforeActive = activeIn(i.before);
  const sum = (m: DigestInput['now'], k: 'tokens' | 'cost_usd' | 'unpriced_tokens') => i.people.reduce((n, p) => n + (m.get(p.id)?.[k] ?? 0), 0);
  const usd = sum(i.now, 'cost_usd');
  const usdBefore = sum(i.before, 'cost_usd');
  const named = i.people.filter((p) => !p.hidden);
  const hidden = new Set(i.people.filter((p) => p.hidden).map((p) => p.id));
  const top = named.map((p) => ({ login: p.login, name: p.name, tokens: i.now.get(p.id)?.tokens ?? 0, cost_usd: cents(i.now.get(p.id)?.cost_usd ?? 0) }))
    .filter((p) => p.tokens > 0).sort(byTokens).slice(0, TOP_PEOPLE);
  const movers = named.map((p) => {
    const tokens = i.now.get(p.id)?.tokens ?? 0;
    const before = i.before.get(p.id)?.tokens ?? 0;
    return { login: p.login, name: p.name, tokens, tokens_before: before, change: tokens - before };
  }).filter((p) => p.change > 0).sort((a, b) => b.change - a.change || a.login.localeCompare(b.login)).slice(0, TOP_MOVERS);
  return {
    org: i.orgName,
    week: i.week,
    previous: i.previous,
    people: { members: i.people.length, active: nowActive.length, active_before: beforeActive.length, active_change: nowActive.length - beforeActive.length },
    tokens: { week: sum(i.now, 'tokens'), previous: sum(i.before, 'tokens') },
    spend: {
      usd: cents(usd), usd_before: cents(usdBefore),
      partial: sum(i.now, 'unpriced_tokens') > 0, partial_before: sum(i.before, 'unpriced_tokens') > 0,
      change_pct: usdBefore > 0 ? Math.round(((usd - usdBefore) / usdBefore) * 1000) / 10 : null,
    },
    top_people: top,
    top_movers: movers,
    new_unknown_models: i.unknownModels.filter((m) => m.first_seen >= i.week.start && m.first_seen <= i.week.end)
      .map((m) => ({ provider: m.provider, model: m.model, tokens: m.tokens, first_seen: m.first_seen })),
    // A hidden person's own budget would name them: left out like their row.
    budgets_near_limit: i.budgets.filter((st) => st.fraction >= NEAR_LIMIT && !(st.budget.scope === 'user' && hidden.has(st.budget.user_id ?? -1))).sort((a, b) => b.fraction - a.fraction).map((st) => ({
      id: st.budget.id, scope: st.budget.scope,
      subject: st.budget.scope === 'user' ? st.budget.login ?? '' : st.budget.scope === 'team' ? st.budget.team ?? '' : i.orgName,
      period: st.budget.period, percent: Math.floor(st.fraction * 100 + 1e-9), spent_usd: cents(st.spend.spent_usd), limit_usd: st.budget.limit_usd,
      tokens: st.spend.tokens, limit_tokens: st.budget.limit_tokens, cost_partial: st.spend.unpriced_tokens > 0,
    })),
  };
}
