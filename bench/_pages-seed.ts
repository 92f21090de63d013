// Seeding for `npm run bench -- pages`: users, daily rollups, sessions, skills and the read
// model written with direct SQL (posting millions of events through ingest would take most
// of an hour), on SQLite (sqlite3) or PostgreSQL (pg, multi-row INSERTs).
//
// The data is planned per person-day (plannedPeople) and the derived rows come from the
// ledger's own counting rules (ledger/rules.ts: reconcileSlices, dayFigures,
// facetFigures), so they hold what ingest would have stored: user_days and user_totals,
// the per-facet user_day_facets and user_facet_totals (provider, tool, trust level; cost at
// the current prices, unpriced tokens of models without a price, tokens replaced where the
// provider's own numbers exist), sessions counted on the day they start for the provider
// and tool of their first event, each session's models (session_models) and main model.
// test/bench-seed.test.ts stores the same plan as events through the ledger and compares.
import sqlite3 from 'sqlite3';
import pg from 'pg';
import { pathToFileURL } from 'node:url';
import type { WireEvent } from '../agent/wire.ts';
import { loadConfig } from '../src/config.ts';
import { sqlitePath } from '../src/db/connect.ts';
import { sqliteDate } from '../src/db/sql.ts';
import { createServices } from '../src/services.ts';
import { priceTable } from '../src/ledger/prices.ts';
import { COUNTS, dayCorrections, dayFigures, facetFigures, facetsOf, isNone, reconcileSlices, tokensOf, type DayRollup, type Facet } from '../src/ledger/rules.ts';
import { tierFor, type PriceTable } from '../src/pricing/table.ts';
import { addDays } from '../src/usage/days.ts';
import { rng, tableSizes, type TableSizes } from './_lib.ts';

export interface SeedPlan {
  users: number;
  /** Days back from today that can hold usage. */
  days: number;
  /** Chance that a user is active on a given day. */
  activeShare: number;
  /** Models per active day (a user picks this many of MODELS). */
  modelsPerDay: number;
  /** Events per rollup row (one user, day, model). */
  eventsPerRollup: number;
}

export interface Seeded {
  dataDir: string;
  events: number;
  rollups: number;
  userDays: number;
  facetDays: number;
  sessions: number;
  /** The login of the busiest user (the profile measured). */
  busiest: string;
  /** Rows and bytes (tables with their indexes) after seeding. */
  tables: TableSizes;
}

export const MODELS: { provider: string; model: string; local: boolean }[] = [
  { provider: 'anthropic', model: 'claude-sonnet-4-5', local: false },
  { provider: 'anthropic', model: 'claude-haiku-4-5', local: false },
  { provider: 'openai', model: 'gpt-5', local: false },
  { provider: 'google', model: 'gemini-2.5-pro', local: false },
  { provider: 'anthropic', model: 'claude-opus-4-5', local: false },
  { provider: 'acme', model: 'acme-coder-1', local: false },
  { provider: 'ollama', model: 'llama3', local: true },
];
export const SOURCES = ['claude-code', 'proxy', 'codex'];
/** The import that brings the provider's own numbers (trust level provider). */
export const IMPORT_SOURCE = 'anthropic-admin';
const SKILLS = ['review', 'test', 'refactor', 'docs', 'debug'];
export const TEAMS = ['core', 'web', 'data', 'infra', 'mobile'];

/** Per-event token counts of a planned rollup (its sums are n times these). */
export interface Per { input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number; cache_write_1h_tokens: number }

export interface PlannedRollup { provider: string; model: string; source: string; is_local: boolean; tier: number; n: number; per: Per }

export interface PersonDay {
  day: string;
  rollups: PlannedRollup[];
  /** The day's session: the agent-sent rollups, in order (its first event is the first rollup's). */
  session: { hash: string; first: number; last: number } | null;
  skill: { name: string; count: number } | null;
}

export interface PlannedPerson {
  id: number;
  login: string;
  teams: string[];
  /** The person's active days in order: the same ones on every call (a PRNG seeded per person). */
  days(): Generator<PersonDay>;
}

// A share of people also has the provider's own numbers imported (an Anthropic Admin key):
// some only through the import (API keys used without an agent), some both ways, where the
// reconciliation rule replaces their self-reported Anthropic tokens.
const importOnly = (u: number) => u % 20 === 3;
const importToo = (u: number) => u % 20 === 13;

/** The people and their usage, the same on every run. */
export function plannedPeople(plan: SeedPlan, prices: PriceTable, today: string): PlannedPerson[] {
  const first = addDays(today, -(plan.days - 1));
  return Array.from({ length: plan.users }, (_, i) => {
    const u = i + 1;
    const login = `dev${String(u).padStart(4, '0')}`;
    const teams = [TEAMS[u % TEAMS.length], ...(u % 7 === 0 ? [TEAMS[(u + 2) % TEAMS.length]] : [])];
    return { id: u, login, teams, days: () => personDays(plan, prices, u, login, first, today) };
  });
}

function* personDays(plan: SeedPlan, prices: PriceTable, u: number, login: string, first: string, today: string): Generator<PersonDay> {
  const rand = rng(42_000 + u);
  const intensity = 0.3 + rand() * 1.7;
  for (let day = first; day <= today; day = addDays(day, 1)) {
    if (rand() > plan.activeShare) continue;
    const offset = Math.floor(rand() * MODELS.length);
    const rollups: PlannedRollup[] = [];
    const imported: PlannedRollup[] = [];
    for (let m = 0; m < plan.modelsPerDay; m++) {
      const { provider, model, local } = MODELS[(offset + m) % MODELS.length];
      const n = Math.max(1, Math.round(plan.eventsPerRollup * intensity * (0.5 + rand())));
      const cw = Math.round(rand() * 300);
      const per: Per = {
        input_tokens: Math.round(800 + rand() * 800), output_tokens: Math.round(200 + rand() * 400), cache_read_tokens: Math.round(rand() * 6000),
        cache_write_tokens: cw, cache_write_1h_tokens: provider === 'anthropic' ? Math.floor(cw / 3) : 0,
      };
      const price = local ? null : prices.lookup(model);
      const agent = { provider, model, source: SOURCES[(u + m) % SOURCES.length], is_local: local, tier: tierFor(price, per), n, per };
      if (provider === 'anthropic' && (importOnly(u) || importToo(u))) {
        // One daily bucket: the provider's count of the same work, a little above what the agent saw.
        const bucket: Per = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0 };
        for (const k of Object.keys(per) as (keyof Per)[]) bucket[k] = Math.round(per[k] * n * 1.05);
        bucket.cache_write_1h_tokens = Math.min(bucket.cache_write_1h_tokens, bucket.cache_write_tokens);
        imported.push({ provider, model, source: IMPORT_SOURCE, is_local: false, tier: tierFor(price, bucket), n: 1, per: bucket });
        if (importOnly(u)) continue;
      }
      rollups.push(agent);
    }
    let session: PersonDay['session'] = null;
    let skill: PersonDay['skill'] = null;
    if (rollups.length) {
      // One session that day; it counts on the day it started, for its first event.
      const start = Date.parse(`${day}T09:00:00Z`) + Math.floor(rand() * 8 * 3600_000);
      const events = rollups.reduce((s, r) => s + r.n, 0);
      session = { hash: `${login}-${day}`, first: start, last: events > 1 ? start + 1 + Math.floor(rand() * 3 * 3600_000) : start };
      skill = { name: SKILLS[u % SKILLS.length], count: Math.min(events, 1 + Math.floor(rand() * 4)) };
    }
    yield { day, rollups: [...rollups, ...imported], session, skill };
  }
}

const sumsOf = (r: PlannedRollup): DayRollup => ({
  provider: r.provider, model: r.model, source: r.source, is_local: r.is_local, tier: r.tier, events: r.n,
  input_tokens: r.per.input_tokens * r.n, output_tokens: r.per.output_tokens * r.n, cache_read_tokens: r.per.cache_read_tokens * r.n,
  cache_write_tokens: r.per.cache_write_tokens * r.n, cache_write_1h_tokens: r.per.cache_write_1h_tokens * r.n,
});

const agentRollups = (d: PersonDay) => d.rollups.filter((r) => r.source !== IMPORT_SOURCE);

/** The events a person-day's plan stands for: what the agent sent (the session) and the import's buckets. */
export function eventsOf(login: string, d: PersonDay): { agent: WireEvent[]; imported: WireEvent[] } {
  const agent: WireEvent[] = [];
  const imported: WireEvent[] = [];
  const own = agentRollups(d);
  const total = own.reduce((s, r) => s + r.n, 0);
  let j = 0;
  let skills = d.skill?.count ?? 0;
  own.forEach((r, ri) => {
    for (let i = 0; i < r.n; i++, j++) {
      const s = d.session!;
      const ts = total > 1 ? s.first + Math.round((j * (s.last - s.first)) / (total - 1)) : s.first;
      agent.push({
        ts, provider: r.provider, model: r.model, is_local: r.is_local, ...r.per, id: `${login}-${d.day}-${ri}-${i}`,
        source: r.source, session: s.hash, ...(skills-- > 0 ? { skills: [d.skill!.name] } : {}),
      });
    }
  });
  d.rollups.filter((r) => r.source === IMPORT_SOURCE).forEach((r, ri) => {
    imported.push({ ts: Date.parse(`${d.day}T00:00:00Z`), provider: r.provider, model: r.model, is_local: false, ...r.per, id: `imp-${login}-${d.day}-${ri}`, source: r.source });
  });
  return { agent, imported };
}

// ---- writing rows: the same buffered multi-row INSERTs on both engines

interface Sink {
  insert(table: string, cols: readonly string[], rows: unknown[][]): Promise<void>;
  /** Commit and close. */
  finish(tables: string[]): Promise<void>;
}

async function sqliteSink(file: string): Promise<Sink> {
  const db = new sqlite3.Database(file);
  const exec = (sql: string) => new Promise<void>((ok, fail) => db.exec(sql, (e) => (e ? fail(e) : ok())));
  await exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000; BEGIN');
  const stmts = new Map<string, sqlite3.Statement>();
  return {
    async insert(table, cols, rows) {
      const key = `${table}|${rows.length}`;
      let st = stmts.get(key);
      if (!st) stmts.set(key, (st = db.prepare(`INSERT INTO ${table} (${cols.join(',')}) VALUES ${Array(rows.length).fill(`(${Array(cols.length).fill('?').join(',')})`).join(',')}`)));
      const params = rows.flat().map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? sqliteDate(v) : v));
      await new Promise<void>((ok, fail) => st!.run(params, (e) => (e ? fail(e) : ok())));
    },
    async finish() {
      for (const st of stmts.values()) await new Promise<void>((ok) => st.finalize(() => ok()));
      // The server runs no ANALYZE of its own: none here either, so the planner sees what it would.
      await exec('COMMIT');
      await new Promise<void>((ok) => db.close(() => ok()));
    },
  };
}

async function postgresSink(url: string): Promise<Sink> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query('BEGIN');
  const texts = new Map<string, string>();
  return {
    async insert(table, cols, rows) {
      const key = `${table}|${rows.length}`;
      let text = texts.get(key);
      if (!text) {
        let p = 0;
        const one = () => `(${cols.map(() => `$${++p}`).join(',')})`;
        texts.set(key, (text = `INSERT INTO ${table} (${cols.join(',')}) VALUES ${rows.map(one).join(',')}`));
      }
      await db.query({ name: `seed_${texts.size}_${key.replace(/\W/g, '_')}`, text, values: rows.flat() });
    },
    async finish(tables) {
      await db.query('COMMIT');
      // What autovacuum does on a live server soon after such a load: visibility map and statistics.
      await db.query(`VACUUM ANALYZE ${tables.join(', ')}`);
      await db.end();
    },
  };
}

class Table {
  private rows: unknown[][] = [];
  private readonly per: number;
  count = 0;
  /** `parent`: the table its rows reference (users), flushed first for PostgreSQL's foreign keys. */
  constructor(private readonly sink: Sink, readonly name: string, private readonly cols: readonly string[], private readonly parent?: Table) {
    this.per = Math.floor(30000 / cols.length);
  }
  async add(row: unknown[]): Promise<void> {
    this.rows.push(row);
    this.count++;
    if (this.rows.length >= this.per) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.rows.length) return;
    await this.parent?.flush();
    const rows = this.rows;
    this.rows = [];
    await this.sink.insert(this.name, this.cols, rows);
  }
}

type Sums = [number, number, number, number, number];

/** Seeds the store behind these config overrides (server.data_dir, and database.url for PostgreSQL). */
export async function seed(overrides: Record<string, string>, plan: SeedPlan, now = Date.now()): Promise<Seeded> {
  // Migrate through the product's own start-up path; then write with the plain driver.
  const cfg = loadConfig({ env: {}, overrides });
  const s = await createServices(cfg);
  const prices = await priceTable(s.db);
  const calendar = s.calendar();
  const today = calendar.dayOf(now);
  await s.close();
  const database = cfg.database.url.startsWith('postgres') ? cfg.database.url : sqlitePath(cfg);
  const sink = database === cfg.database.url ? await postgresSink(database) : await sqliteSink(database);

  const stamp = new Date(now);
  const users = new Table(sink, 'users', 'id, login, login_key, name, role, teams, active, hidden, public_badge, link_github, created_at, updated_at'.split(', '));
  const t = (name: string, cols: string) => new Table(sink, name, cols.split(',').map((c) => c.trim()), users);
  const rollups = t('daily_rollups', 'user_id, day, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, events');
  const userDays = t('user_days', 'user_id, day, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events, sessions, cost_usd, unpriced_tokens, replaced_tokens');
  const totals = t('user_totals', 'user_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events, sessions, cost_usd, unpriced_tokens, replaced_tokens, active_days, first_day, last_day');
  const facetDays = t('user_day_facets', 'user_id, facet, day, tokens, events, sessions, cost_usd, unpriced_tokens, replaced_tokens');
  const facetTotals = t('user_facet_totals', 'user_id, facet, tokens, events, sessions, cost_usd, unpriced_tokens, replaced_tokens, active_days, first_day, last_day');
  const sessions = t('sessions', 'user_id, session_hash, source, provider, model, model_tokens, first_ts, last_ts, events, tokens');
  const sessionModels = t('session_models', 'user_id, session_hash, model, tokens');
  const skills = t('skills', 'user_id, day, name, count');
  const ROLLUP_GROUP = 'user_id, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, events';
  const rollupTotals = t('rollup_totals', ROLLUP_GROUP);
  const corrections = t('rollup_corrections', `day, ${ROLLUP_GROUP}`);
  const all = [users, rollups, userDays, totals, facetDays, facetTotals, sessions, sessionModels, skills, rollupTotals, corrections];

  // Rows go in day by day, everyone's day before the next, as a live server gets them: a
  // day's rows sit together and a person's are spread over the tables, as in production.
  const people = plannedPeople(plan, prices, today);
  const days = people.map((p) => p.days());
  const next = days.map((it) => it.next());
  const state = people.map(() => ({
    // [input, output, cache read, cache write, events, sessions, cost, unpriced, replaced]
    tot: [0, 0, 0, 0, 0, 0, 0, 0, 0], active: 0, first: null as string | null, last: null as string | null,
    facets: new Map<Facet, { sums: Sums; replaced: number; active: number; first: string; last: string }>(),
    // rollup_totals: per group key, the group and its sums less the rule's corrections
    groups: new Map<string, DayRollup>(),
  }));
  for (const person of people) {
    await users.add([person.id, person.login, person.login, `Developer ${person.id}`, 'member', JSON.stringify(person.teams), true, false, false, false, stamp, stamp]);
  }
  for (let day = addDays(today, -(plan.days - 1)); day <= today; day = addDays(day, 1)) {
    for (let i = 0; i < people.length; i++) {
      const it = next[i];
      if (it.done || it.value.day !== day) continue;
      next[i] = days[i].next();
      await writeDay(people[i].id, it.value, state[i]);
    }
  }

  async function writeDay(u: number, d: PersonDay, st: (typeof state)[number]): Promise<void> {
    const stored = d.rollups.map(sumsOf);
    for (const r of stored) {
      await rollups.add([u, d.day, r.provider, r.model, r.source, r.is_local, r.tier, r.input_tokens, r.output_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens, r.events]);
    }
    const slices = reconcileSlices(stored, prices);
    const f = dayFigures(slices);
    // The rule's corrections of the day, and the all-time groups with them taken off.
    const corr = dayCorrections(stored);
    for (const [i, r] of stored.entries()) {
      const c = corr[i];
      const key = `${r.provider}\u0000${r.model}\u0000${r.source}\u0000${r.is_local}\u0000${r.tier}`;
      let g = st.groups.get(key);
      if (!g) st.groups.set(key, (g = { ...r, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, events: 0 }));
      for (const k of COUNTS) g[k] += r[k] - c[k];
      if (!isNone(c)) await corrections.add([d.day, u, r.provider, r.model, r.source, r.is_local, r.tier, ...COUNTS.map((k) => c[k])]);
    }
    // The session counts for the provider and tool of its first event (the first agent rollup).
    const sessionFacets = new Set<Facet>();
    if (d.session) {
      const own = agentRollups(d);
      const first = own[0];
      for (const facet of facetsOf(first.provider, first.source)) sessionFacets.add(facet);
      const byModel = new Map<string, number>();
      for (const r of own) byModel.set(r.model, (byModel.get(r.model) ?? 0) + tokensOf(sumsOf(r)));
      const models = [...byModel].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      const top = [...models].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
      const evs = own.reduce((s, r) => s + r.n, 0);
      await sessions.add([u, d.session.hash, first.source, first.provider, top[0], top[1], d.session.first, d.session.last, evs, models.reduce((s, m) => s + m[1], 0)]);
      for (const [model, tokens] of models) await sessionModels.add([u, d.session.hash, model, tokens]);
    }
    if (d.skill) await skills.add([u, d.day, d.skill.name, d.skill.count]);
    const sums = [f.input_tokens, f.output_tokens, f.cache_read_tokens, f.cache_write_tokens, f.events, d.session ? 1 : 0, f.cost_usd, f.unpriced_tokens, f.replaced_tokens];
    await userDays.add([u, d.day, ...sums]);
    sums.forEach((v, i) => { st.tot[i] += v; });
    st.active++;
    st.first ??= d.day;
    st.last = d.day;
    for (const [facet, x] of facetFigures(slices)) {
      const fs: Sums = [x.tokens, x.events, sessionFacets.has(facet) ? 1 : 0, x.cost_usd, x.unpriced_tokens];
      await facetDays.add([u, facet, d.day, ...fs, x.replaced_tokens]);
      let ft = st.facets.get(facet);
      if (!ft) st.facets.set(facet, (ft = { sums: [0, 0, 0, 0, 0], replaced: 0, active: 0, first: d.day, last: d.day }));
      fs.forEach((v, i) => { ft!.sums[i] += v; });
      ft.replaced += x.replaced_tokens;
      if (x.events > 0) ft.active++;
      ft.last = d.day;
    }
  }

  let events = 0;
  let busiest = { login: 'dev0001', events: -1 };
  for (let i = 0; i < people.length; i++) {
    const { tot, active, first, last, facets, groups } = state[i];
    for (const [, g] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      await rollupTotals.add([people[i].id, g.provider, g.model, g.source, g.is_local, g.tier, ...COUNTS.map((k) => g[k])]);
    }
    const u = people[i].id;
    events += tot[4];
    if (tot[4] > busiest.events) busiest = { login: people[i].login, events: tot[4] };
    if (!active) continue;
    await totals.add([u, ...tot, active, first, last]);
    for (const [facet, ft] of [...facets].sort((a, b) => (a[0] < b[0] ? -1 : 1))) await facetTotals.add([u, facet, ...ft.sums, ft.replaced, ft.active, ft.first, ft.last]);
  }
  for (const table of all) await table.flush();
  await sink.finish(all.map((x) => x.name));
  const tables = await tableSizes(database, all.map((x) => x.name));
  return {
    dataDir: overrides['server.data_dir'], events, rollups: rollups.count, userDays: userDays.count, facetDays: facetDays.count,
    sessions: sessions.count, busiest: busiest.login, tables,
  };
}

// Run as a script (`node --import=tsx bench/_pages-seed.ts OVERRIDES_JSON PLAN_JSON`) the
// seeding happens in its own process, so its garbage never pauses the process that measures the pages.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [overrides, plan] = process.argv.slice(2);
  // No top-level await: the test suite loads this file too (as CommonJS).
  seed(JSON.parse(overrides) as Record<string, string>, JSON.parse(plan) as SeedPlan)
    .then((out) => process.stdout.write(`${JSON.stringify(out)}\n`), (err) => { console.error(String(err).slice(0, 2000)); process.exit(1); });
}
