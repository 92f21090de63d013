// The leaderboard's state lives in the URL (so a view can be shared): parsing it from a
// query string, and building the links that change one part of it.
import { BadInput } from '../../errors.ts';
import { isMetric, METRICS, type Metric } from '../../usage/ranking.ts';
import type { SourceFilter } from '../../ledger/read.ts';
import { isTrust } from '../../ledger/rules.ts';
import { isWindow, WINDOWS, type WindowName } from '../../usage/window.ts';

export interface BoardState {
  metric: Metric;
  window: WindowName;
  team: string | null;
  provider: string | null;
  /** A trust level, or `measured` (provider and device). */
  source: SourceFilter | null;
  /** One tool (a source such as claude-code). */
  tool: string | null;
  q: string | null;
  page: number;
}

export const DEFAULT_STATE: BoardState = { metric: 'tokens', window: '30d', team: null, provider: null, source: null, tool: null, q: null, page: 1 };

type Query = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[v.length - 1] : v);

function text(v: string | undefined, name: string, max: number): string | null {
  const s = (v ?? '').trim();
  if (!s) return null;
  if (s.length > max || /\p{Cc}/u.test(s)) throw new BadInput(`${name}: at most ${max} printable characters`);
  return s;
}

export function parseWindow(raw: string | string[] | undefined, fallback: WindowName = DEFAULT_STATE.window): WindowName {
  const w = one(raw);
  if (w === undefined || w === '') return fallback;
  if (!isWindow(w)) throw new BadInput(`window: "${w}" is not one of ${WINDOWS.join(', ')}`);
  return w;
}

/** Reads the state from a query string; a wrong value is a 400 naming the parameter. */
export function parseBoardState(query: Query): BoardState {
  const metric = one(query.metric) || DEFAULT_STATE.metric;
  if (!isMetric(metric)) throw new BadInput(`metric: "${metric}" is not one of ${METRICS.join(', ')}`);
  const source = one(query.source) || null;
  if (source !== null && source !== 'measured' && !isTrust(source)) throw new BadInput('source: measured, provider, device or self-reported');
  const pageRaw = one(query.page);
  const page = pageRaw === undefined || pageRaw === '' ? 1 : Number(pageRaw);
  if (!Number.isInteger(page) || page < 1 || page > 1_000_000) throw new BadInput('page: a whole number from 1');
  return {
    metric,
    window: parseWindow(query.window),
    team: text(one(query.team), 'team', 100),
    provider: text(one(query.provider), 'provider', 128),
    source,
    tool: text(one(query.tool), 'tool', 64),
    q: text(one(query.q), 'q', 100),
    page,
  };
}

/** The query string of a state, leaving out defaults so shared links stay short. */
export function boardQuery(s: BoardState, path = '/'): string {
  const p = new URLSearchParams();
  if (s.metric !== DEFAULT_STATE.metric) p.set('metric', s.metric);
  if (s.window !== DEFAULT_STATE.window) p.set('window', s.window);
  if (s.team) p.set('team', s.team);
  if (s.provider) p.set('provider', s.provider);
  if (s.source) p.set('source', s.source);
  if (s.tool) p.set('tool', s.tool);
  if (s.q) p.set('q', s.q);
  if (s.page > 1) p.set('page', String(s.page));
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A link to the same view with some parts changed; anything but a page change goes back to page 1. */
export function boardLink(s: BoardState, change: Partial<BoardState>): string {
  return boardQuery({ ...s, page: 'page' in change ? s.page : 1, ...change });
}
