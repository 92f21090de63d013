// The admin's price page: rows (shown or being edited, with the typed values and inline
// errors after a refused save), the add form with its coverage preview, the unknown-models
// inbox, the LiteLLM import diff and the history of changes.
import type { Price } from '../../../pricing/table.ts';
import type { PriceAdminView, Coverage } from '../../../pricing/admin-view.ts';
import type { ImportDiff } from '../../../pricing/litellm.ts';
import type { PriceChange, UnknownModel } from '../../../pricing/inbox.ts';
import { compact, int } from '../../format.ts';
import { when, type FieldError } from '../../pages/admin/common.ts';

export const PRICE_FIELDS = ['input', 'output', 'cache_read', 'cache_write', 'cache_write_1h'] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

/** What the admin typed, kept as text so a refused form comes back exactly as sent. */
export interface PriceDraft {
  model: string;
  provider: string;
  input: string;
  output: string;
  cache_read: string;
  cache_write: string;
  /** The 1-hour cache-write price; absent (a form without the field) keeps the stored one. */
  cache_write_1h?: string;
}

export const rowId = (model: string) => `p-${Buffer.from(model, 'utf8').toString('hex')}`;
const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
const perM = (v: number | null) => (v === null ? '–' : `$${v}`);

export function draftOf(p: Price): PriceDraft {
  return { model: p.model, provider: p.provider, input: num(p.input), output: num(p.output), cache_read: num(p.cache_read), cache_write: num(p.cache_write), cache_write_1h: num(p.cache_write_1h) };
}

export function presentPriceRow(p: Price, edit: { draft?: PriceDraft; error?: FieldError | null } | null = null) {
  const q = encodeURIComponent(p.model);
  return {
    id: rowId(p.model),
    model: p.model,
    provider: p.provider,
    pattern: p.model.includes('*'),
    input: perM(p.input), output: perM(p.output), cache_read: perM(p.cache_read), cache_write: perM(p.cache_write), cache_write_1h: perM(p.cache_write_1h ?? null),
    tiers: p.tiers.length,
    edit_href: `/admin/prices?edit=${q}#${rowId(p.model)}`,
    edit_get: `/admin/prices?edit=${q}`,
    show_get: `/admin/prices?show=${q}`,
    editing: edit !== null,
    draft: edit ? edit.draft ?? draftOf(p) : null,
    error: edit?.error ?? null,
  };
}

export function presentCoverage(model: string, coverage: Coverage[] | null) {
  if (!model || coverage === null) return { model, asked: false, rows: [], count: 0 };
  return {
    model, asked: true, count: coverage.length,
    rows: coverage.map((c) => ({ model: c.model, provider: c.provider, tokens: compact(c.tokens), priced_by: c.priced_by })),
  };
}

function priceText(p: unknown): string {
  if (!p || typeof p !== 'object') return '–';
  const x = p as Partial<Price>;
  const parts = [`in $${x.input}`, `out $${x.output}`];
  if (x.cache_read != null) parts.push(`cache read $${x.cache_read}`);
  if (x.cache_write != null) parts.push(`cache write $${x.cache_write}`);
  if (x.cache_write_1h != null) parts.push(`1h cache write $${x.cache_write_1h}`);
  return parts.join(' · ');
}

const KIND_TEXT: Record<string, string> = { 'price.set': 'set', 'price.delete': 'deleted', 'price.import': 'LiteLLM import' };

export function presentHistory(h: PriceChange[]) {
  return h.map((c) => ({ at: when(c.at), actor: c.actor, kind: KIND_TEXT[c.kind] ?? c.kind, model: c.model, before: c.before ? priceText(c.before) : null, after: c.after ? priceText(c.after) : null }));
}

export function presentInbox(u: UnknownModel[]) {
  return u.map((m) => ({
    model: m.model, provider: m.provider, tokens: compact(m.tokens), tokens_title: `${int(m.tokens)} tokens`, events: int(m.events), first_seen: m.first_seen, last_seen: m.last_seen,
    add_href: `/admin/prices?model=${encodeURIComponent(m.model)}&provider=${encodeURIComponent(m.provider)}#add`,
  }));
}

export function presentPrices(v: PriceAdminView, o: { edit?: string | null; editDraft?: PriceDraft; error?: FieldError | null; errorIn?: 'edit' | 'add' | 'import' | null; add?: PriceDraft | null; notice?: string | null }) {
  const addDraft: PriceDraft = o.add ?? { model: '', provider: '', input: '', output: '', cache_read: '', cache_write: '', cache_write_1h: '' };
  return {
    rows: v.prices.map((p) => presentPriceRow(p, o.edit === p.model ? { draft: o.editDraft, error: o.errorIn === 'edit' ? o.error : null } : null)),
    add: { draft: addDraft, error: o.errorIn === 'add' ? o.error ?? null : null },
    coverage: presentCoverage(addDraft.model, v.coverage),
    inbox: presentInbox(v.unknown),
    history: presentHistory(v.history),
    import_error: o.errorIn === 'import' ? o.error ?? null : null,
    notice: o.notice ?? null,
  };
}

export function presentDiff(d: ImportDiff) {
  return {
    added: d.added.map((p) => ({ model: p.model, provider: p.provider, after: priceText(p) })),
    changed: d.changed.map((c) => ({ model: c.after.model, before: priceText(c.before), after: priceText(c.after) })),
    unchanged: d.unchanged,
    skipped: d.skipped,
    any: d.added.length + d.changed.length > 0,
  };
}
