// The pages bench writes its 10M-event database with direct SQL (bench/_pages-seed.ts). It
// measures the real shape only if those rows are what the ledger itself would store: here a
// small plan is seeded that way into one database, and the same plan, as events, goes
// through the ledger (storeBatch: the agent's batch of each day, then the import's) into
// another; every derived table must agree row for row.
import test from 'ava';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/services.ts';
import { storeBatch } from '../src/ledger/write.ts';
import { priceTable, priceTableAt } from '../src/ledger/prices.ts';
import { addUser } from '../src/users/users.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { eventsOf, plannedPeople, seed, IMPORT_SOURCE, type SeedPlan } from '../bench/_pages-seed.ts';
import { tempDir } from './helpers/app.ts';
import { engineOverrides } from './helpers/engine.ts';
import { rows } from './helpers/db.ts';

// 40 people take in both kinds of imported people (ids 3, 23: import only; 13, 33: both ways).
const PLAN: SeedPlan = { users: 40, days: 12, activeShare: 0.6, modelsPerDay: 4, eventsPerRollup: 3 };
const NOW = Date.UTC(2026, 10, 20, 23, 0);

const TABLES: [table: string, key: string][] = [
  ['daily_rollups', 'user_id, day, provider, model, source, is_local, tier'],
  ['user_days', 'user_id, day'],
  ['user_totals', 'user_id'],
  ['user_day_facets', 'user_id, facet, day'],
  ['user_facet_totals', 'user_id, facet'],
  ['sessions', 'user_id, session_hash'],
  ['session_models', 'user_id, session_hash, model'],
  ['skills', 'user_id, day, name'],
  ['rollup_totals', 'user_id, provider, model, source, is_local, tier'],
  ['rollup_corrections', 'user_id, day, provider, model, source, is_local, tier'],
];
const COLUMNS: Record<string, string> = {
  daily_rollups: 'user_id, day, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, events',
  sessions: 'user_id, session_hash, source, provider, model, model_tokens, first_ts, last_ts, events, tokens',
  skills: 'user_id, day, name, count',
  rollup_totals: 'user_id, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, events',
  rollup_corrections: 'user_id, day, provider, model, source, is_local, tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, events',
};

async function open(dataDir: string) {
  const cfg = loadConfig({ env: {}, overrides: { 'server.data_dir': dataDir, ...(await engineOverrides(dataDir)) } });
  return { cfg, overrides: { 'server.data_dir': dataDir, ...(await engineOverrides(dataDir)) } };
}

/** Every row of a table in key order; cost to 1e-9 USD (the ledger adds per event, the seed per rollup). */
async function dump(db: Parameters<typeof rows>[0], table: string, key: string): Promise<Record<string, unknown>[]> {
  const out = await rows<Record<string, unknown>>(db, `SELECT ${COLUMNS[table] ?? '*'} FROM ${table} ORDER BY ${key}`);
  return out.map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 'id') continue;
      o[k] = k === 'cost_usd' ? Math.round(Number(v) * 1e9) / 1e9 : k === 'is_local' ? Boolean(v) : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    }
    return o;
  });
}

test('the pages bench seed stores what the ledger stores for the same events', async (t) => {
  // The seeded database.
  const seededDir = tempDir('tb-seed-');
  const seeded = await open(seededDir);
  const result = await seed(seeded.overrides, PLAN, NOW);
  t.true(result.rollups > 500 && result.facetDays > 1000, 'a plan of some size');

  // The same plan through the ledger.
  const ledgerDir = tempDir('tb-seed-ledger-');
  const s = await createServices((await open(ledgerDir)).cfg);
  t.teardown(() => s.close());
  const a = await createServices(seeded.cfg);
  t.teardown(() => a.close());
  const calendar = s.calendar();
  const people = plannedPeople(PLAN, await priceTable(s.db), calendar.dayOf(NOW));
  let imports = 0;
  for (const p of people) {
    const user = await addUser(s.db, { login: p.login }, CLI_ACTOR);
    t.is(user.id, p.id);
    for (const d of p.days()) {
      const { agent, imported } = eventsOf(p.login, d);
      const meta = { userId: p.id, tokenId: null, replay: null, now: NOW, minTs: 0 };
      // The agent's events as they happened, the provider's daily bucket imported afterwards.
      for (const events of [agent, imported]) {
        if (events.length) await storeBatch(s.db, meta, events, calendar, (tx, v) => priceTableAt(s.db, tx, v));
      }
      imports += imported.length;
    }
  }
  t.true(imports > 0, 'the plan has imported provider numbers');
  const replaced = await rows<{ n: number }>(a.db, 'SELECT COUNT(*) AS n FROM user_days WHERE replaced_tokens > 0');
  t.true(Number(replaced[0].n) > 0, 'and person-days where they replace self-reported tokens');
  const importOnly = await rows<{ n: number }>(a.db, `SELECT COUNT(*) AS n FROM user_day_facets WHERE facet = ? AND events > 0`, [`tool:${IMPORT_SOURCE}`]);
  t.true(Number(importOnly[0].n) > 0, 'and people known only through the import');

  for (const [table, key] of TABLES) {
    const ledger = await dump(s.db, table, key);
    if (table === 'user_facet_totals') {
      // All-time active days of a facet are its days with messages, as a window counts them
      // (usage-read facetSums). The ledger's own all-time row also counts a day whose
      // messages the reconciliation rule moved to the agent's facets (a provider bucket
      // beside self-reported messages): counted here from its day rows instead.
      const active = await rows<{ user_id: number; facet: string; n: number }>(s.db,
        'SELECT user_id, facet, SUM(CASE WHEN events > 0 THEN 1 ELSE 0 END) AS n FROM user_day_facets GROUP BY user_id, facet');
      const byKey = new Map(active.map((r) => [`${r.user_id}|${r.facet}`, Number(r.n)]));
      for (const r of ledger) r.active_days = byKey.get(`${r.user_id}|${r.facet}`);
    }
    t.deepEqual(await dump(a.db, table, key), ledger, table);
  }
});
