// `npm run drill -- fuzz [--db postgres]`: the properties of drill/_fuzz.ts with many runs
// against one server (in this process, over loopback HTTP, on a store of its own):
// DRILL_FUZZ_RUNS (2,000) signed ingest bodies and as many OTLP exports, and
// DRILL_FUZZ_ROUTE_RUNS (40) requests per route to every other route. Seed: DRILL_SEED
// (printed; a failure prints fast-check's shrunk counterexample and the seed to replay).
// Invariants: no 5xx, refused batches store nothing, nothing invalid stored.
import { cores, figure, newStore } from '../bench/_lib.ts';
import { withApp } from '../test/helpers/app.ts';
import { fuzzIngest, fuzzOtlp, fuzzRoutes, invalidStored, neverPastSchema, type RoutesResult } from './_fuzz.ts';
import { progress } from './_common.ts';

const RUNS = Number(process.env.DRILL_FUZZ_RUNS ?? 2000);
const ROUTE_RUNS = Number(process.env.DRILL_FUZZ_ROUTE_RUNS ?? 40);
const SEED = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000);
// Vendor imports a fuzzed form may start go to a closed loopback port, never to the vendors.
const NOWHERE = 'http://127.0.0.1:9';

export default async function fuzzDrill(): Promise<boolean> {
  const store = await newStore();
  const app = await withApp({ ...store.overrides(), 'providers.anthropic_api_url': NOWHERE, 'providers.openai_api_url': NOWHERE, 'providers.cursor_api_url': NOWHERE, 'github.api_url': NOWHERE }, store.dataDir);
  const common = { db: store.engine, seed: SEED, cores: cores() };
  let ok = true;
  try {
    for (const [name, run] of [
      ['ingest', () => fuzzIngest(app, RUNS, SEED)],
      ['otlp', () => fuzzOtlp(app, RUNS, SEED)],
      ['routes', () => fuzzRoutes(app, ROUTE_RUNS, SEED)],
    ] as const) {
      const t0 = performance.now();
      try {
        const result = await run() as RoutesResult;
        const { byRoute, ...r } = result;
        // Per route: how many fuzzed requests reached the handler (past access, CSRF and the schema).
        for (const [route, t] of Object.entries(byRoute ?? {})) figure('fuzz', 'route', { route, ...t, ...common });
        // A route with a schema that no request got past was fuzzed only as far as its refusals: a failure.
        const never = byRoute ? neverPastSchema(result) : [];
        const past = byRoute ? Object.values(byRoute).reduce((n, t) => n + t.past_schema, 0) : undefined;
        if (never.length) ok = false;
        figure('fuzz', name, { ok: never.length === 0, five_xx: 0, ...r, ...(byRoute ? { past_schema: past, routes_never_past_schema: never } : {}), seconds: Math.round((performance.now() - t0) / 1000), ...common });
      } catch (err) {
        ok = false;
        // fast-check's message names the counterexample; its cause is what the property threw.
        const cause = (err as Error & { cause?: unknown }).cause;
        figure('fuzz', name, { ok: false, failure: String((err as Error).message).slice(0, 1500), cause: String((cause as Error)?.stack ?? cause ?? '').slice(0, 1500), ...common });
      }
      progress(`fuzz: ${name} done`);
    }
    const problems = await invalidStored(app);
    const serverErrors = app.logs.filter((l) => / error /.test(l));
    figure('fuzz', 'stored', { ok: problems.length === 0, invalid: problems.length, problems, ...common });
    figure('fuzz', 'server_log', { ok: serverErrors.length === 0, error_lines: serverErrors.length, first: serverErrors.slice(0, 3), ...common });
    return ok && problems.length === 0 && serverErrors.length === 0;
  } finally {
    await app.stop();
    store.remove();
  }
}
