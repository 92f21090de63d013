// The /team page's fields, from teamView(): formatted numbers, the weekly chart, links that
// keep the window and team filters, and the CSV link for the same selection.
import type { TeamView } from '../../usage/team.ts';
import { isWindow, WINDOWS, type WindowName } from '../../usage/window.ts';
import { compact, int, percent } from '../format.ts';
import { barSvg } from '../svg/bar.ts';
import { WEEKLY_NARROW, WEEKLY_WIDE, weeklySvg } from '../svg/weekly.ts';
import { money, WINDOW_LABELS, WINDOW_PHRASES } from './leaderboard.ts';

export interface TeamState {
  window: WindowName;
  team: string | null;
}

const DEFAULT_WINDOW: WindowName = '30d';

export function parseTeamState(q: Record<string, unknown>): TeamState {
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const w = one(q.window);
  const t = typeof one(q.team) === 'string' ? String(one(q.team)).trim().slice(0, 100) : '';
  return { window: isWindow(w) ? w : DEFAULT_WINDOW, team: t || null };
}

/** The query string of a selection; defaults are left out so links stay short. */
export function teamQuery(s: TeamState): string {
  const p = new URLSearchParams();
  if (s.window !== DEFAULT_WINDOW) p.set('window', s.window);
  if (s.team) p.set('team', s.team);
  const q = p.toString();
  return q ? `?${q}` : '';
}

const pctText = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(1)}%`;

export function presentTeam(v: TeamView, state: TeamState, allTeams: string[]) {
  const mixTotal = v.local_tokens + v.cloud_tokens;
  return {
    state,
    url: `/team${teamQuery(state)}`,
    csv_href: `/team.csv${teamQuery(state)}`,
    window_phrase: WINDOW_PHRASES[state.window],
    range: v.range,
    windows: WINDOWS.map((w) => ({ key: w, label: WINDOW_LABELS[w], href: `/team${teamQuery({ ...state, window: w })}`, active: w === state.window })),
    teams: [...new Set([...allTeams, ...(state.team ? [state.team] : [])])].sort().map((t) => ({ value: t, selected: t === state.team })),
    summary: {
      members: int(v.members),
      active: int(v.active),
      adoption: pctText(v.adoption_pct),
      cost: money(v.cost_usd, v.cost_partial, v.unpriced_models),
    },
    weekly_svg: weeklySvg(v.weekly, { members: v.members, size: WEEKLY_WIDE }),
    weekly_svg_narrow: weeklySvg(v.weekly, { members: v.members, size: WEEKLY_NARROW }),
    weekly: v.weekly,
    people: [
      { key: 'new', title: 'New adopters', hint: 'first usage ever in this window', logins: v.new_adopters },
      { key: 'lapsed', title: 'Lapsed', hint: 'active in the period before, not in this one', logins: v.lapsed },
      { key: 'never', title: 'Never active', hint: 'signed in, no usage ever', logins: v.never_active },
      { key: 'quiet', title: 'Agent installed but quiet', hint: 'an agent token was used, no usage in this window', logins: v.quiet_agents },
    ].map((g) => ({ ...g, people: g.logins.map((login) => ({ login, href: `/u/${encodeURIComponent(login)}` })) })),
    team_rows: v.teams.map((r) => ({
      team: r.team,
      href: `/team${teamQuery({ ...state, team: r.team })}`,
      members: int(r.members),
      active: int(r.active),
      adoption: pctText(r.adoption_pct),
      tokens: compact(r.tokens),
      tokens_title: `${int(r.tokens)} tokens`,
      cost: money(r.cost_usd, r.cost_partial, []),
      top_models: r.top_models,
      measured: percent(r.measured_share),
      measured_bar: barSvg(r.measured_share, { width: 80, label: `${percent(r.measured_share)} measured (provider or device trust)` }),
      replaced: r.replaced_tokens > 0 ? compact(r.replaced_tokens) : null,
    })),
    models: v.models.map((m) => ({ provider: m.provider, model: m.model, tokens: compact(m.tokens), tokens_title: `${int(m.tokens)} tokens`, share: percent(m.share), bar: barSvg(m.share, { width: 80 }), cost: money(m.cost_usd, false, []) })),
    providers: v.providers.map((p) => ({ provider: p.provider, tokens: compact(p.tokens), share: percent(p.share), bar: barSvg(p.share, { width: 80 }) })),
    local: { tokens: compact(v.local_tokens), share: percent(mixTotal ? v.local_tokens / mixTotal : 0) },
    cloud: { tokens: compact(v.cloud_tokens), share: percent(mixTotal ? v.cloud_tokens / mixTotal : 0) },
    per_user: { median: compact(v.tokens_per_active_user.median), p90: compact(v.tokens_per_active_user.p90) },
    replaced: { tokens: compact(v.replaced_tokens), exact: int(v.replaced_tokens), any: v.replaced_tokens > 0 },
  };
}
