// Leaderboard presenters: exactly the fields the page template and the JSON API get, as
// plain objects. Pages get formatted text and pre-rendered (escaped) SVG; the API gets
// the raw numbers. Both come from the same domain call, so they always agree.
import type { Leaderboard, Standing } from '../../usage/leaderboard.ts';
import type { RowDetails } from '../../usage/leaderboard-details.ts';
import { METRIC_LABELS, METRICS, type Metric } from '../../usage/ranking.ts';
import { WINDOWS, type WindowName } from '../../usage/window.ts';
import { compact, int, usd } from '../format.ts';
import { sparklineSvg } from '../svg/sparkline.ts';
import { boardLink, boardQuery, type BoardState } from './board-state.ts';

export const WINDOW_LABELS: Record<WindowName, string> = { today: 'Today', '7d': '7 days', '30d': '30 days', '90d': '90 days', all: 'All time' };
export const WINDOW_PHRASES: Record<WindowName, string> = { today: 'today', '7d': 'last 7 days', '30d': 'last 30 days', '90d': 'last 90 days', all: 'all time' };

export const TRUST_TEXT = {
  provider: { label: 'provider', title: 'Reported by the vendor’s own usage API (imported by the server; nobody can forge it)' },
  device: { label: 'device', title: 'Read from the provider’s response on the developer’s machine (local proxy, CLI telemetry)' },
  measured: { label: 'measured', title: 'Seen on the wire or reported by the provider (local proxy, CLI telemetry, provider Admin APIs)' },
  'self-reported': { label: 'self-reported', title: 'Read from local log files on the developer’s machine' },
  mixed: { label: 'mixed', title: 'Partly measured, partly read from local logs' },
} as const;

export interface Viewer {
  id: number;
  login: string;
}

export interface Money {
  text: string;
  partial: boolean;
  /** Names the models left out of a partial cost. */
  note: string | null;
}

export function money(cost: number | null, partial: boolean, unpriced: string[]): Money {
  const note = partial ? `Partial: leaves out models without a price${unpriced.length ? ` (${unpriced.join(', ')})` : ''}` : null;
  return { text: usd(cost), partial, note };
}

function valueText(metric: Metric, s: Standing, d: RowDetails | undefined): { text: string; title: string | null; money: Money | null } {
  switch (metric) {
    case 'tokens': return { text: compact(s.tokens), title: `${int(s.tokens)} tokens`, money: null };
    case 'cost': return { text: usd(s.cost_usd), title: null, money: money(s.cost_usd, s.cost_partial, d?.unpriced_models ?? []) };
    default: return { text: int(s.value), title: null, money: null };
  }
}

export function initials(name: string | null, login: string): string {
  const parts = (name || login).trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

export function presentBoard(lb: Leaderboard, details: Map<number, RowDetails>, state: BoardState, viewer: Viewer | null, providers: string[]) {
  const rows = lb.rows.map((s) => {
    const d = details.get(s.person.id);
    const v = valueText(lb.metric, s, d);
    return {
      rank: s.rank,
      login: s.person.login,
      name: s.person.name || s.person.login,
      has_name: Boolean(s.person.name),
      avatar_url: s.person.avatar_url,
      initials: initials(s.person.name, s.person.login),
      href: `/u/${encodeURIComponent(s.person.login)}${state.window === '30d' ? '' : `?window=${state.window}`}`,
      value: v.text,
      value_title: v.title,
      value_money: v.money,
      tokens: compact(s.tokens),
      tokens_title: `${int(s.tokens)} tokens`,
      cost: money(s.cost_usd, s.cost_partial, d?.unpriced_models ?? []),
      messages: int(s.messages),
      spark: sparklineSvg(d?.spark ?? [], { label: `${s.person.login}: daily tokens, last 30 days` }),
      top_model: d?.top_model ?? null,
      trust: d?.trust ? TRUST_TEXT[d.trust] : null,
      trust_key: d?.trust ?? null,
      is_me: viewer !== null && viewer.id === s.person.id,
    };
  });
  const here = boardQuery(state);
  const summaryCost = money(lb.summary.cost_usd, lb.summary.cost_partial, []);
  return {
    state,
    url: here,
    metric_label: METRIC_LABELS[lb.metric],
    window_label: WINDOW_LABELS[lb.range.window],
    window_phrase: WINDOW_PHRASES[lb.range.window],
    range: lb.range,
    metrics: METRICS.map((m) => ({ key: m, label: METRIC_LABELS[m], href: boardLink(state, { metric: m }), active: m === lb.metric })),
    windows: WINDOWS.map((w) => ({ key: w, label: WINDOW_LABELS[w], href: boardLink(state, { window: w }), active: w === lb.range.window })),
    teams: lb.teams.map((t) => ({ value: t, selected: t === state.team })),
    providers: [...new Set([...providers, ...(state.provider ? [state.provider] : [])])].sort().map((p) => ({ value: p, selected: p === state.provider })),
    sources: [{ value: 'measured', label: 'Measured only' }, { value: 'provider', label: 'Provider numbers only' }, { value: 'device', label: 'Device-measured only' },
      { value: 'self-reported', label: 'Self-reported only' }].map((o) => ({ ...o, selected: o.value === state.source })),
    filtered: Boolean(state.team || state.provider || state.source || state.tool || state.q),
    clear_href: boardQuery({ ...state, team: null, provider: null, source: null, tool: null, q: null, page: 1 }),
    rows,
    ranked: lb.ranked,
    matched: lb.matched,
    page: lb.page,
    pages: lb.pages,
    prev_href: lb.page > 1 ? boardLink(state, { page: lb.page - 1 }) : null,
    next_href: lb.page < lb.pages ? boardLink(state, { page: lb.page + 1 }) : null,
    summary: {
      people: int(lb.summary.people),
      tokens: compact(lb.summary.tokens),
      tokens_title: `${int(lb.summary.tokens)} tokens`,
      messages: compact(lb.summary.messages),
      cost: summaryCost,
    },
    // The "* partial cost" footnote explains a mark shown on this page, and only then.
    any_partial: summaryCost.partial || rows.some((r) => r.cost.partial || Boolean(r.value_money?.partial)),
  };
}

export type BoardView = ReturnType<typeof presentBoard>;

/** The JSON API's shape: raw numbers, the same ones the page formats. */
export function presentBoardJson(lb: Leaderboard, details: Map<number, RowDetails>) {
  return {
    window: { name: lb.range.window, from: lb.range.from, to: lb.range.to },
    metric: lb.metric,
    page: lb.page,
    pages: lb.pages,
    per_page: lb.perPage,
    ranked: lb.ranked,
    matched: lb.matched,
    summary: lb.summary,
    rows: lb.rows.map((s) => {
      const d = details.get(s.person.id);
      return {
        rank: s.rank,
        login: s.person.login,
        name: s.person.name,
        avatar_url: s.person.avatar_url,
        teams: s.person.teams,
        value: s.value,
        tokens: s.tokens,
        cost_usd: s.cost_usd,
        cost_partial: s.cost_partial,
        unpriced_models: d?.unpriced_models ?? [],
        messages: s.messages,
        sessions: s.sessions,
        active_days: s.active_days,
        models: s.models,
        skills: s.skills,
        top_model: d?.top_model ?? null,
        trust: d?.trust ?? null,
        measured_share: d ? Math.round(d.measured_share * 1000) / 1000 : null,
        daily_tokens: d?.spark ?? [],
      };
    }),
  };
}
