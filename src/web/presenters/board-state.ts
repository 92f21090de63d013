// The leaderboard's state lives in the URL (so a view can be shared): parsing it from a
// query string, and building the links that change one part of it.
import * as v from 'valibot';
import { METRICS, type Metric } from '../../usage/ranking.ts';
import type { SourceFilter } from '../../ledger/read.ts';
import { WINDOWS, type WindowName } from '../../usage/window.ts';
import { oneOf, request, text, validate, type Parts } from '../schema.ts';

export interface BoardState {
  metric: Metric;
  window: WindowName;
  team: string | null;
  provider: string | null;
  /** A trust level, or `measured` (provider and device). */
  source: SourceFilter | null;
  /** One tool (the source of the usage). */
  tool: string | null;
  q: string | null;
  page: number;
}

export const DEFAULT_STATE: BoardState = { metric: 'tokens', window: '30d', team: null, provider: null, source: null, tool: null, q: null, page: 1 };

/** The trust levels, and `measured` (provider or device) for links saved before there were three. */
const SOURCES = ['provider', 'device', 'self-reported', 'measured'] as const satisfies readonly SourceFilter[];

/** A window in a query string (?window=), the given default when absent. */
export function windowParam(fallback: WindowName = DEFAULT_STATE.window) {
  return v.pipe(oneOf(WINDOWS), v.transform((w) => w ?? fallback));
}

/** The leaderboard's query string; a wrong value is a 400 naming the parameter. */
export const BOARD_QUERY = {
  metric: v.pipe(oneOf(METRICS), v.transform((m): Metric => m ?? DEFAULT_STATE.metric)),
  window: windowParam(),
  team: text(100),
  provider: text(128),
  source: oneOf(SOURCES),
  tool: text(64),
  q: text(100),
  page: v.pipe(text(8), v.transform((x) => (x === null ? 1 : Number(x))), v.check((n) => Number.isInteger(n) && n >= 1 && n <= 1_000_000, 'a whole number from 1')),
};

const BOARD = v.object(BOARD_QUERY);

/** Reads the state from a query string (the route chain does this with the same schema). */
export function parseBoardState(query: Record<string, unknown>): BoardState {
  return validate(request({ query: BOARD_QUERY }), { params: {}, query: query as Parts['query'], body: {} }).query;
}

export type BoardQuery = v.InferOutput<typeof BOARD>;

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
