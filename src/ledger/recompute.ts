// Rewriting derived numbers from the rollups: person-days under the reconciliation rule,
// re-pricing after a price change, and the one-time fill of the facet read model. All of
// them price with costUsd (pricing/table.ts), the one cost formula.
import type { Db } from '../db/connect.ts';
import type { Sql } from '../db/sql.ts';
import { forUpdate } from '../db/dialect.ts';
import * as usage from '../db/repos/usage-write.ts';
import * as personDays from '../db/repos/usage-recompute.ts';
import { bumpVersion } from '../db/repos/versions.ts';
import * as settingsRepo from '../db/repos/settings.ts';
import { ratesOf, type PriceTable, type Rates } from '../pricing/table.ts';
import type { DayCalendar } from '../usage/days.ts';
import { COUNTS, dayCorrections, dayFigures, facetFigures, facetsOf, isNone, PROVIDER_SOURCES, reconcileSlices, type DayFigures, type Facet, type FacetFigures } from './rules.ts';

const dayKey = (userId: number, day: string) => `${userId}\u0000${day}`;

/**
 * Rewrites the read model of these person-days from their rollups (the reconciliation
 * rule, current prices), then their people's all-time rows. Absolute values, never
 * increments: a rewrite also clears any rounding the increments gathered. The rule's
 * corrections of those days are rewritten too, and rollup_totals (raw sums less every
 * stored correction) changes by what they changed.
 */
export async function recomputeDays(tx: Sql, keys: { user_id: number; day: string }[], prices: PriceTable): Promise<void> {
  if (keys.length === 0) return;
  // In chunks: a price change can touch most person-days of a big org.
  for (let i = 0; i < keys.length; i += 2000) {
    const part = keys.slice(i, i + 2000);
    const byDay = new Map<string, personDays.StoredRollup[]>();
    for (const r of await personDays.rollupsOfDays(tx, part)) {
      const k = dayKey(r.user_id, r.day);
      const list = byDay.get(k);
      if (list) list.push(r); else byDay.set(k, [r]);
    }
    const days: { user_id: number; day: string; f: DayFigures }[] = [];
    const facets: { user_id: number; day: string; facet: Facet; f: FacetFigures }[] = [];
    const corrections: personDays.StoredCorrection[] = [];
    for (const { user_id, day } of part) {
      const rows = byDay.get(dayKey(user_id, day)) ?? [];
      const slices = reconcileSlices(rows, prices);
      days.push({ user_id, day, f: dayFigures(slices) });
      for (const [facet, f] of facetFigures(slices)) facets.push({ user_id, day, facet, f });
      dayCorrections(rows).forEach((c, i) => { if (!isNone(c)) corrections.push({ ...rows[i], ...c }); });
    }
    await personDays.setUserDays(tx, days);
    await personDays.setFacetDays(tx, facets);
    await setCorrections(tx, part, corrections);
  }
  await personDays.resumTotals(tx, [...new Set(keys.map((k) => k.user_id))]);
}

/** Stores the corrections of these days and takes what changed off rollup_totals. */
async function setCorrections(tx: Sql, keys: { user_id: number; day: string }[], now: personDays.StoredCorrection[]): Promise<void> {
  const before = await personDays.correctionsOfDays(tx, keys);
  if (before.length === 0 && now.length === 0) return;
  const delta = new Map<string, personDays.StoredCorrection>();
  const add = (r: personDays.StoredCorrection, sign: 1 | -1) => {
    const k = `${r.user_id}\u0000${usage.rollupKey({ ...r, day: undefined })}`;
    let d = delta.get(k);
    if (!d) delta.set(k, (d = { ...r, day: '', input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, events: 0 }));
    for (const c of COUNTS) d[c] += sign * r[c];
  };
  // rollup_totals = raw − corrections: an old correction goes back on, a new one comes off.
  for (const r of before) add(r, 1);
  for (const r of now) add(r, -1);
  await personDays.setCorrections(tx, keys, now);
  await personDays.changeRollupTotals(tx, [...delta.values()].filter((d) => !isNone(d)));
}

function sameRates(a: Rates | null, b: Rates | null): boolean {
  if (a === null || b === null) return a === b;
  return a.input === b.input && a.output === b.output && a.cache_read === b.cache_read && a.cache_write === b.cache_write && a.cache_write_1h === b.cache_write_1h;
}

/**
 * After a price change: every person-day that used a model now priced differently is
 * rewritten from its rollups. Returns how many person-days changed.
 */
export async function reprice(tx: Sql, before: PriceTable, after: PriceTable): Promise<number> {
  const changed: string[] = [];
  for (const k of await personDays.modelKeys(tx)) {
    if (k.is_local) continue;
    const was = before.lookup(k.model);
    const now = after.lookup(k.model);
    if (!sameRates(was && ratesOf(was, k.tier), now && ratesOf(now, k.tier)) && !changed.includes(k.model)) changed.push(k.model);
  }
  if (changed.length === 0) return 0;
  const days = await personDays.daysWithModels(tx, changed);
  await recomputeDays(tx, days, after);
  await bumpVersion(tx, 'usage');
  return days.length;
}

const REBUILD_KEY = 'ledger.rebuild';

/**
 * Fills what a migration could not from the rollups, when one asked for it (it needs the
 * counting rules and the prices, which migrations must not depend on): "facets", the facet
 * read model (and with it the corrections of every anchored day); "corrections", only the
 * reconciliation rule's corrections of the anchored days. Each person is one write
 * transaction, so ingest goes on in between; a run cut short starts over at the next start
 * (every step writes absolute values). Returns the people done.
 */
export async function rebuildIfAsked(db: Db, calendar: DayCalendar, prices: () => Promise<PriceTable>, progress?: (done: number, of: number) => void): Promise<number> {
  const asked = await settingsRepo.get(db.sql, REBUILD_KEY);
  if (asked === null) return 0;
  const onlyCorrections = asked === JSON.stringify('corrections');
  const table = await prices();
  const anchored = new Map<number, string[]>();
  if (onlyCorrections) for (const k of await personDays.anchoredUserDays(db.sql, PROVIDER_SOURCES)) (anchored.get(k.user_id) ?? anchored.set(k.user_id, []).get(k.user_id)!).push(k.day);
  const ids = onlyCorrections ? [...anchored.keys()].sort((a, b) => a - b)
    : (await db.sql.all<{ user_id: number }>('SELECT user_id FROM user_totals ORDER BY user_id')).map((r) => Number(r.user_id));
  let done = 0;
  for (const userId of ids) {
    await db.writer.transaction(async (tx) => {
      // The person's totals row, locked first: a batch of theirs stored meanwhile waits and
      // then adds on top of the rebuilt rows instead of being overwritten by them.
      await tx.all(`SELECT user_id FROM user_totals WHERE user_id = ?${forUpdate(tx.dialect)}`, [userId]);
      if (onlyCorrections) await recomputeDays(tx, anchored.get(userId)!.map((day) => ({ user_id: userId, day })), table);
      else await rebuildFacetsOf(tx, userId, calendar, table);
    });
    if (++done % 100 === 0) progress?.(done, ids.length);
  }
  await db.writer.transaction(async (tx) => { await settingsRepo.remove(tx, REBUILD_KEY); await bumpVersion(tx, 'usage'); });
  return done;
}

async function rebuildFacetsOf(tx: Sql, userId: number, calendar: DayCalendar, prices: PriceTable): Promise<void> {
  const days = await tx.all<{ day: string }>('SELECT day FROM user_days WHERE user_id = ?', [userId]);
  const rows = await personDays.rollupsOfDays(tx, days.map((d) => ({ user_id: userId, day: d.day })));
  const byDay = new Map<string, personDays.StoredRollup[]>();
  for (const r of rows) (byDay.get(r.day) ?? byDay.set(r.day, []).get(r.day)!).push(r);
  const out = new Map<string, { day: string; facet: Facet; sums: usage.FacetSums }>();
  for (const [day, list] of byDay) {
    for (const [facet, f] of facetFigures(reconcileSlices(list, prices))) out.set(`${day}\u0000${facet}`, { day, facet, sums: [f.tokens, f.events, 0, f.cost_usd, f.unpriced_tokens] });
  }
  for (const s of await tx.all<{ first_ts: number; provider: string; source: string }>('SELECT first_ts, provider, source FROM sessions WHERE user_id = ?', [userId])) {
    const day = calendar.dayOf(Number(s.first_ts));
    for (const facet of facetsOf(s.provider, s.source)) {
      const row = out.get(`${day}\u0000${facet}`);
      if (row) row.sums[2] += 1;
    }
  }
  await tx.run('DELETE FROM user_day_facets WHERE user_id = ?', [userId]);
  await tx.run('DELETE FROM user_facet_totals WHERE user_id = ?', [userId]);
  if (out.size === 0) return;
  const entries = [...out.values()];
  for (let i = 0; i < entries.length; i += 400) {
    await usage.addFacetDays(tx, userId, new Map(entries.slice(i, i + 400).map((e) => [`${e.day}\u0000${e.facet}`, e])));
  }
  const totals = new Map<Facet, { sums: usage.FacetSums; newDays: number; first: string; last: string }>();
  for (const { day, facet, sums } of entries) {
    let t = totals.get(facet);
    if (!t) totals.set(facet, (t = { sums: [0, 0, 0, 0, 0], newDays: 0, first: day, last: day }));
    sums.forEach((v, i) => { t!.sums[i] += v; });
    if (sums[1] > 0) t.newDays++;
    if (day < t.first) t.first = day;
    if (day > t.last) t.last = day;
  }
  await usage.addFacetTotals(tx, userId, totals);
  // Replaced tokens (person-days under the reconciliation rule) come with the rewrite.
  const anchored = await personDays.anchoredDays(tx, userId, [...byDay.keys()], PROVIDER_SOURCES);
  await recomputeDays(tx, anchored.map((day) => ({ user_id: userId, day })), prices);
}
