// Seeding for `npm run bench -- pages`: users, daily rollups and the read model written
// with direct SQL (posting millions of events through ingest would take most of an hour),
// consistent with each other the way ingest keeps them: user_days and user_totals are the
// sums of the rollups, cost at the current price table, unpriced tokens of models without
// a price, sessions counted on the day they started, skills per day.
import sqlite3 from 'sqlite3';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/services.ts';
import { priceTable } from '../src/pricing/store.ts';
import { costUsd } from '../src/pricing/table.ts';
import { addDays } from '../src/usage/days.ts';
import { rng } from './_lib.ts';

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
  sessions: number;
  /** The login of the busiest user (the profile measured). */
  busiest: string;
}

const MODELS: { provider: string; model: string; local: boolean }[] = [
  { provider: 'anthropic', model: 'claude-sonnet-4-5', local: false },
  { provider: 'anthropic', model: 'claude-haiku-4-5', local: false },
  { provider: 'openai', model: 'gpt-5', local: false },
  { provider: 'google', model: 'gemini-2.5-pro', local: false },
  { provider: 'anthropic', model: 'claude-opus-4-5', local: false },
  { provider: 'acme', model: 'acme-coder-1', local: false },
  { provider: 'ollama', model: 'llama3', local: true },
];
const SOURCES = ['claude-code', 'proxy', 'codex'];
const SKILLS = ['review', 'test', 'refactor', 'docs', 'debug'];
const TEAMS = ['core', 'web', 'data', 'infra', 'mobile'];


class Inserter {
  private rows: unknown[][] = [];
  private readonly stmts = new Map<number, sqlite3.Statement>();
  constructor(private readonly db: sqlite3.Database, private readonly head: string, private readonly cols: number, private readonly per = Math.floor(30000 / cols)) {}
  async add(row: unknown[]): Promise<void> {
    this.rows.push(row);
    if (this.rows.length >= this.per) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.rows.length) return;
    const n = this.rows.length;
    let st = this.stmts.get(n);
    if (!st) this.stmts.set(n, (st = this.db.prepare(`${this.head} VALUES ${Array(n).fill(`(${Array(this.cols).fill('?').join(',')})`).join(',')}`)));
    const params = this.rows.flat();
    this.rows = [];
    await new Promise<void>((ok, fail) => st!.run(params, (e) => (e ? fail(e) : ok())));
  }
  async close(): Promise<void> {
    await this.flush();
    for (const st of this.stmts.values()) await new Promise<void>((ok) => st.finalize(() => ok()));
  }
}

const exec = (db: sqlite3.Database, sql: string) => new Promise<void>((ok, fail) => db.exec(sql, (e) => (e ? fail(e) : ok())));

export async function seed(dataDir: string, plan: SeedPlan, now = Date.now()): Promise<Seeded> {
  // Migrate through the product's own start-up path; then write with plain sqlite3.
  const cfg = loadConfig({ env: {}, overrides: { 'server.data_dir': dataDir } });
  const s = await createServices(cfg);
  const prices = await priceTable(s.db);
  const today = s.calendar().dayOf(now);
  await s.close();

  const db = new sqlite3.Database(join(dataDir, 'tokenboard.sqlite'));
  await exec(db, 'PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000; BEGIN');
  const stamp = new Date(now).toISOString().replace('T', ' ').replace('Z', ' +00:00');
  const users = new Inserter(db, 'INSERT INTO users (id, login, login_key, name, role, teams, active, hidden, public_badge, link_github, created_at, updated_at)', 12);
  const rollups = new Inserter(db, 'INSERT INTO daily_rollups (user_id, day, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events)', 12);
  const userDays = new Inserter(db, 'INSERT INTO user_days (user_id, day, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events, sessions, cost_usd, unpriced_tokens)', 10);
  const totals = new Inserter(db, 'INSERT INTO user_totals (user_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, events, sessions, cost_usd, unpriced_tokens, active_days, first_day, last_day)', 12);
  const sessions = new Inserter(db, 'INSERT INTO sessions (user_id, session_hash, source, model, first_ts, last_ts, events, tokens)', 8);
  const skills = new Inserter(db, 'INSERT INTO skills (user_id, day, name, count)', 4);

  const rand = rng(42);
  const first = addDays(today, -(plan.days - 1));
  let events = 0;
  let rollupCount = 0;
  let dayCount = 0;
  let sessionCount = 0;
  let busiest = { login: 'dev0001', events: -1 };
  for (let u = 1; u <= plan.users; u++) {
    const login = `dev${String(u).padStart(4, '0')}`;
    const teams = [TEAMS[u % TEAMS.length], ...(u % 7 === 0 ? [TEAMS[(u + 2) % TEAMS.length]] : [])];
    await users.add([u, login, login, `Developer ${u}`, 'member', JSON.stringify(teams), 1, 0, 0, 0, stamp, stamp]);
    const intensity = 0.3 + rand() * 1.7;
    const tot = [0, 0, 0, 0, 0, 0, 0, 0];
    let active = 0;
    let firstDay: string | null = null;
    let lastDay: string | null = null;
    for (let day = first; day <= today; day = addDays(day, 1)) {
      if (rand() > plan.activeShare) continue;
      const d = [0, 0, 0, 0, 0, 1, 0, 0]; // input, output, cache read, cache write, events, sessions, cost, unpriced
      const offset = Math.floor(rand() * MODELS.length);
      for (let m = 0; m < plan.modelsPerDay; m++) {
        const { provider, model, local } = MODELS[(offset + m) % MODELS.length];
        const n = Math.max(1, Math.round(plan.eventsPerRollup * intensity * (0.5 + rand())));
        const c = { input_tokens: n * Math.round(800 + rand() * 800), output_tokens: n * Math.round(200 + rand() * 400), cache_read_tokens: n * Math.round(rand() * 6000), cache_write_tokens: n * Math.round(rand() * 300) };
        const price = local ? null : prices.lookup(model);
        const cost = local ? 0 : price ? costUsd(price, 0, c) : null;
        await rollups.add([u, day, provider, model, SOURCES[(u + m) % SOURCES.length], local ? 1 : 0, 0, c.input_tokens, c.output_tokens, c.cache_read_tokens, c.cache_write_tokens, n]);
        d[0] += c.input_tokens; d[1] += c.output_tokens; d[2] += c.cache_read_tokens; d[3] += c.cache_write_tokens; d[4] += n;
        if (cost === null) d[7] += c.input_tokens + c.output_tokens + c.cache_read_tokens + c.cache_write_tokens; else d[6] += cost;
        rollupCount++;
      }
      // One session started that day (the read model counts sessions on their first day).
      const start = Date.parse(`${day}T09:00:00Z`) + Math.floor(rand() * 8 * 3600_000);
      await sessions.add([u, `${login}-${day}`, SOURCES[u % SOURCES.length], MODELS[offset].model, start, start + Math.floor(rand() * 3 * 3600_000), d[4], d[0] + d[1] + d[2] + d[3]]);
      await skills.add([u, day, SKILLS[u % SKILLS.length], 1 + Math.floor(rand() * 4)]);
      await userDays.add([u, day, ...d]);
      d.forEach((v, i) => { tot[i] += v; });
      active++;
      firstDay ??= day;
      lastDay = day;
      dayCount++;
      sessionCount++;
    }
    events += tot[4];
    if (tot[4] > busiest.events) busiest = { login, events: tot[4] };
    await totals.add([u, ...tot, active, firstDay, lastDay]);
  }
  for (const i of [users, rollups, userDays, totals, sessions, skills]) await i.close();
  await exec(db, 'COMMIT; PRAGMA optimize;');
  await new Promise<void>((ok) => db.close(() => ok()));
  return { dataDir, events, rollups: rollupCount, userDays: dayCount, sessions: sessionCount, busiest: busiest.login };
}

// Run as a script (`node --import=tsx bench/_pages-seed.ts DIR PLAN_JSON`) the seeding happens
// in its own process, so its garbage never pauses the process that measures the pages.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, plan] = process.argv.slice(2);
  const out = await seed(dir, JSON.parse(plan) as SeedPlan);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
