// A budget as the pages show it (admin list, profile, settings, team page): who it is for,
// its period and limit, what is used so far as text and as a bar, and which thresholds
// have been notified. The partial-cost note appears only when some usage has no price.
import type { BudgetLine } from '../../budgets/views.ts';
import { PERIOD_WORDS } from '../../budgets/period.ts';
import { compact, int, shortDay, usd } from '../format.ts';
import { budgetBarSvg } from '../svg/budget-bar.ts';

const pct = (f: number) => `${Math.floor(f * 100 + 1e-9)}%`;

export function presentBudgetLine(l: BudgetLine) {
  const b = l.budget;
  const byUsd = b.limit_usd !== null;
  const who = b.scope === 'user' ? b.login ?? 'a deleted person' : b.scope === 'team' ? `team ${b.team}` : 'the whole org';
  const used = byUsd ? `${usd(l.spend.spent_usd)} of ${usd(b.limit_usd)}` : `${compact(l.spend.tokens)} of ${compact(b.limit_tokens)} tokens`;
  return {
    id: b.id,
    scope: b.scope,
    who,
    who_href: b.scope === 'user' ? (b.login ? `/u/${encodeURIComponent(b.login)}` : null) : b.scope === 'team' ? `/team?team=${encodeURIComponent(b.team ?? '')}` : '/team',
    period: PERIOD_WORDS[b.period].adjective,
    range: `${shortDay(l.period.start)} – ${shortDay(l.period.end)}`,
    limit: byUsd ? `${usd(b.limit_usd)} estimated` : `${int(b.limit_tokens)} tokens`,
    thresholds: b.thresholds.map((t) => `${t}%`).join(', '),
    used,
    percent: pct(l.fraction),
    level: l.fraction >= 1 ? 'over' : l.fraction >= 0.8 ? 'near' : 'ok',
    bar: budgetBarSvg(l.fraction, b.thresholds, `${used} (${pct(l.fraction)}) of the ${PERIOD_WORDS[b.period].adjective} budget`),
    partial: byUsd && l.spend.unpriced_tokens > 0
      ? `Partial: ${compact(l.spend.unpriced_tokens)} tokens of models without a price are not in the cost.` : null,
    notified: l.notified.length ? l.notified.map((t) => `${t}%`).join(', ') : null,
  };
}

export type BudgetLineView = ReturnType<typeof presentBudgetLine>;

export const presentBudgetLines = (ls: readonly BudgetLine[]) => ls.map(presentBudgetLine);
