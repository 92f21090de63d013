// The team view follows the reconciliation rule: provider-anchored tokens replace the
// self-reported ones of the same person, day and provider in the totals and in the mixes,
// and the replaced tokens are reported (org total and per team).
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { addUser } from '../src/users/users.ts';
import { storeImported } from '../src/imports/mapping.ts';
import { teamView } from '../src/usage/team.ts';
import { priceTable } from '../src/pricing/store.ts';
import type { DayRange } from '../src/usage/window.ts';
import { updateUser } from './helpers/db.ts';

const admin = { userId: null, login: 'root' };
const noon = (d: number) => Date.UTC(2026, 9, d, 12);
const week: DayRange = { window: '7d', from: '2026-10-08', to: '2026-10-14', days: 7 };

test('replaced tokens per team and in total; model and provider mixes add up to the reconciled totals', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const s = app.running.services;
  await addUser(s.db, { login: 'rec', email: 'rec@acme.dev' }, admin);
  await addUser(s.db, { login: 'sol' }, admin);
  await updateUser(s.db, 'rec', { teams: ['core'] });
  await updateUser(s.db, 'sol', { teams: ['web'] });
  const rec = await app.createToken('rec');
  const sol = await app.createToken('sol');
  // rec on 10-10: 1000 self-reported sonnet + 500 openai; the Admin API says 1500 haiku for anthropic.
  await postIngest(app.url, rec, { events: [
    event({ ts: noon(10), model: 'claude-sonnet-4-5', input_tokens: 1000, output_tokens: 0, source: 'claude-code' }),
    event({ ts: noon(10), provider: 'openai', model: 'gpt-5', input_tokens: 500, output_tokens: 0, source: 'proxy' }),
  ] });
  await storeImported(s, 'anthropic-admin', [{
    event: { ts: noon(10), provider: 'anthropic', model: 'claude-haiku-4-5', is_local: false, input_tokens: 1500, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, id: 'aa:rec', source: 'anthropic-admin' },
    identities: [['email', 'rec@acme.dev']], label: 'rec@acme.dev',
  }]);
  await postIngest(app.url, sol, { events: [event({ ts: noon(11), model: 'claude-haiku-4-5', input_tokens: 200, output_tokens: 0, source: 'claude-code' })] });

  const v = await teamView(s.db, await priceTable(s.db), { range: week });
  t.is(v.replaced_tokens, 1000);
  t.deepEqual(v.teams.map((r) => [r.team, r.tokens, r.replaced_tokens]), [['core', 2000, 1000], ['web', 200, 0]]);
  // Sonnet's 1000 were replaced: it is not in the mix at all; haiku 1500 + 200.
  t.deepEqual(v.models.map((m) => [m.model, m.tokens]), [['claude-haiku-4-5', 1700], ['gpt-5', 500]]);
  t.deepEqual(v.providers.map((p) => [p.provider, p.tokens]), [['anthropic', 1700], ['openai', 500]]);
  t.is(v.cloud_tokens, 2200);
  // core: 1500 measured (Admin API) + 500 proxy (measured) of 2000.
  t.is(v.teams[0].measured_share, 1);
  t.is(v.teams[1].measured_share, 0);
});
