// Property-based fuzzing with a fixed seed (the few hundred runs CI can afford; `npm run
// drill -- fuzz` runs thousands): signed ingest bodies, OTLP exports, and every route's
// query, path parameters and form fields as a signed-in admin. No 5xx; a refused batch
// stores nothing; nothing stored breaks the wire rules or holds an invisible character.
import test from 'ava';
import { withApp, type TestApp } from './helpers/app.ts';
import { fuzzIngest, fuzzOtlp, fuzzRoutes, invalidStored, neverPastSchema } from '../drill/_fuzz.ts';

const SEED = 15_2026;
const NOWHERE = 'http://127.0.0.1:9';

async function app(): Promise<TestApp> {
  return withApp({ 'providers.anthropic_api_url': NOWHERE, 'providers.openai_api_url': NOWHERE, 'providers.cursor_api_url': NOWHERE, 'github.api_url': NOWHERE });
}

const noErrorLines = (a: TestApp) => a.logs.filter((l) => / error /.test(l));

test('signed ingest bodies: never a 5xx, a refused batch stores nothing, nothing invalid stored', async (t) => {
  const a = await app();
  t.teardown(() => a.stop());
  const r = await fuzzIngest(a, 300, SEED);
  t.is(r.requests, 300);
  t.true((r.statuses['200'] ?? 0) > 0 && (r.statuses['400'] ?? 0) > 0, `both stored and refused bodies were tried: ${JSON.stringify(r.statuses)}`);
  t.deepEqual(await invalidStored(a), []);
  t.deepEqual(noErrorLines(a), []);
});

test('OTLP exports: never a 5xx, nothing invalid stored', async (t) => {
  const a = await app();
  t.teardown(() => a.stop());
  const r = await fuzzOtlp(a, 300, SEED);
  t.is(r.requests, 300);
  t.true((r.statuses['200'] ?? 0) > 0 && (r.statuses['400'] ?? 0) > 0, JSON.stringify(r.statuses));
  t.deepEqual(await invalidStored(a), []);
  t.deepEqual(noErrorLines(a), []);
});

test('every route\'s query, parameters and form: never a 5xx, nothing invalid stored', async (t) => {
  const a = await app();
  t.teardown(() => a.stop());
  const r = await fuzzRoutes(a, 5, SEED);
  t.true(r.routes > 50, `${r.routes} routes`);
  t.true(r.requests >= r.routes * 5);
  // Every route with a schema had at least one request reach its handler (counted by the
  // server's tokenboard_route_input_total), so no handler was fuzzed only through refusals.
  t.deepEqual(neverPastSchema(r), [], JSON.stringify(Object.fromEntries(Object.entries(r.byRoute).map(([k, x]) => [k, x.past_schema]))));
  t.deepEqual(await invalidStored(a), []);
  t.deepEqual(noErrorLines(a), []);
});
