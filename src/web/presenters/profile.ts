// Profile presenters: the page's fields (formatted text, escaped SVG) and the JSON API's
// (raw numbers), from one domain result.
import type { Profile } from '../../usage/profile.ts';
import { WINDOWS, type WindowName } from '../../usage/window.ts';
import { compact, dateTime, duration, int, longDay, percent } from '../format.ts';
import { barSvg } from '../svg/bar.ts';
import { heatmapSvg } from '../svg/heatmap.ts';
import { TREND_NARROW, TREND_WIDE, trendSvg } from '../svg/trend.ts';
import { initials, money, TRUST_TEXT, WINDOW_LABELS, WINDOW_PHRASES, type Viewer } from './leaderboard.ts';

/** Exactly what the server stores per event; the profile says so in plain words. */
export const STORED_FIELDS = [
  'time of the model response (to the millisecond)',
  'provider and model name, and whether the model ran locally',
  'input, output, cache-read and cache-write token counts',
  'which collector saw it (proxy, Claude Code, Codex, …)',
  'a one-way hash of the session id, never the id itself',
  'names of agent skills invoked',
  'an event id derived from the tool’s own message id, to count each response once',
] as const;

export function profileHref(login: string, window: WindowName): string {
  return `/u/${encodeURIComponent(login)}${window === '30d' ? '' : `?window=${window}`}`;
}

export function presentProfile(p: Profile, viewer: Viewer | null, timeZone: string) {
  const t = p.totals;
  const { window } = p.range;
  const me = viewer !== null && viewer.id === p.person.id;
  return {
    me,
    person: {
      login: p.person.login,
      name: p.person.name || p.person.login,
      has_name: Boolean(p.person.name),
      avatar_url: p.person.avatar_url,
      initials: initials(p.person.name, p.person.login),
      teams: p.person.teams,
      hidden: p.person.hidden,
      public_badge: p.person.public_badge,
    },
    window,
    window_label: WINDOW_LABELS[window],
    window_phrase: WINDOW_PHRASES[window],
    range: p.range,
    windows: WINDOWS.map((w) => ({ key: w, label: WINDOW_LABELS[w], href: profileHref(p.person.login, w), active: w === window })),
    totals: {
      tokens: compact(t.tokens),
      tokens_title: `${int(t.tokens)} tokens`,
      breakdown: [
        { label: 'Input', value: compact(t.input_tokens), title: int(t.input_tokens) },
        { label: 'Output', value: compact(t.output_tokens), title: int(t.output_tokens) },
        { label: 'Cache read', value: compact(t.cache_read_tokens), title: int(t.cache_read_tokens) },
        { label: 'Cache write', value: compact(t.cache_write_tokens), title: int(t.cache_write_tokens) },
      ],
      messages: int(t.messages),
      sessions: int(t.sessions),
      active_days: int(t.active_days),
      cost: money(t.cost_usd, t.cost_partial, t.unpriced_models),
      unpriced_models: t.unpriced_models,
      replaced: t.replaced_tokens > 0 ? compact(t.replaced_tokens) : null,
    },
    streaks: { current: int(p.streaks.current), longest: int(p.streaks.longest) },
    lifetime: {
      active_days: int(p.lifetime.active_days),
      since: p.lifetime.first_day ? longDay(p.lifetime.first_day) : null,
    },
    heatmap: heatmapSvg(p.heatmap, { label: `${p.person.login}: activity over the last ${p.heatmap.length} days` }),
    trend: trendSvg(p.trend.points, p.trend.bucket, TREND_WIDE),
    trend_narrow: trendSvg(p.trend.points, p.trend.bucket, TREND_NARROW),
    trend_bucket: p.trend.bucket,
    has_usage: t.messages > 0,
    models: p.models.map((m) => ({
      model: m.model, provider: m.provider, local: m.is_local,
      tokens: compact(m.tokens), tokens_title: int(m.tokens), share: percent(m.share), bar: barSvg(m.share, { width: 80, label: percent(m.share) }),
      messages: int(m.messages), cost: money(m.cost_usd, m.cost_usd === null, m.cost_usd === null ? [m.model] : []),
    })),
    sources: p.sources.map((s) => ({
      source: s.source, trust: TRUST_TEXT[s.trust], tokens: compact(s.tokens), tokens_title: int(s.tokens), share: percent(s.share), messages: int(s.messages),
    })),
    sessions: p.sessions.map((s) => ({
      start: dateTime(s.start, timeZone), duration: duration(s.duration_ms), messages: int(s.events), tokens: compact(s.tokens), tokens_title: int(s.tokens),
      model: s.model, source: s.source,
    })),
    skills: p.skills.map((s) => ({ name: s.name, count: int(s.count) })),
    stored_fields: STORED_FIELDS,
    badge_url: `/u/${encodeURIComponent(p.person.login)}/badge.svg`,
    card_url: `/u/${encodeURIComponent(p.person.login)}/card.svg`,
  };
}

export type ProfileView = ReturnType<typeof presentProfile>;

export function presentProfileJson(p: Profile) {
  return {
    login: p.person.login,
    name: p.person.name,
    avatar_url: p.person.avatar_url,
    teams: p.person.teams,
    window: { name: p.range.window, from: p.range.from, to: p.range.to },
    totals: {
      input_tokens: p.totals.input_tokens,
      output_tokens: p.totals.output_tokens,
      cache_read_tokens: p.totals.cache_read_tokens,
      cache_write_tokens: p.totals.cache_write_tokens,
      total_tokens: p.totals.tokens,
      messages: p.totals.messages,
      sessions: p.totals.sessions,
      active_days: p.totals.active_days,
      cost_usd: p.totals.cost_usd,
      cost_partial: p.totals.cost_partial,
      unpriced_models: p.totals.unpriced_models,
      replaced_tokens: p.totals.replaced_tokens,
    },
    streaks: p.streaks,
    lifetime: p.lifetime,
    models: p.models.map((m) => ({ provider: m.provider, model: m.model, is_local: m.is_local, tokens: m.tokens, messages: m.messages, share: Math.round(m.share * 1000) / 1000, cost_usd: m.cost_usd })),
    sources: p.sources.map((s) => ({ source: s.source, trust: s.trust, tokens: s.tokens, messages: s.messages })),
    /** Active days of the last 365 (the heatmap), oldest first. */
    daily: p.heatmap.filter((d) => d.tokens > 0 || d.messages > 0).map((d) => ({ day: d.day, tokens: d.tokens, messages: d.messages })),
    sessions: p.sessions.map((s) => ({ start: new Date(s.start).toISOString(), duration_ms: s.duration_ms, messages: s.events, tokens: s.tokens, model: s.model, source: s.source })),
    skills: p.skills,
  };
}
