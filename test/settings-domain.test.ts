// Org settings: validation, persistence, the time zone used for new events, retention.
import test from 'ava';
import { withApp, postIngest, event } from './helpers/app.ts';
import { checkSettings, saveSettings } from '../src/admin/settings.ts';
import { pruneRawEvents } from '../src/ingest/ingest.ts';
import { rows } from './helpers/db.ts';

const admin = { userId: null, login: 'root' };

test('bad settings are clear errors', (t) => {
  t.throws(() => checkSettings({ timezone: 'Mars/Base' }), { message: /timezone/ });
  t.throws(() => checkSettings({ name: '' }), { message: /name/ });
  t.throws(() => checkSettings({ leaderboard_visibility: 'everyone' }), { message: /members or public/ });
  t.throws(() => checkSettings({ retention_days: 5 }), { message: /at least 30/ });
  t.throws(() => checkSettings({ retention_days: 'abc' }), { message: /whole number/ });
  t.deepEqual(checkSettings({ retention_days: '' }), { retention_days: null });
});

test('settings persist, override config, and the new time zone applies to new events', async (t) => {
  const app = await withApp({ 'org.name': 'Acme' });
  t.teardown(() => app.stop());
  const s = app.running.services;
  t.is(s.settings().name, 'Acme');
  await saveSettings(s.db, s.cfg, { name: 'Acme Labs', timezone: 'Asia/Tokyo' }, admin);
  await s.refreshSettings();
  t.is(s.settings().name, 'Acme Labs');
  t.is(s.calendar().timeZone, 'Asia/Tokyo');
  await app.createUser('tz');
  const tz = await app.createToken('tz');
  // 2026-10-01 20:00 UTC is 2026-10-02 in Tokyo.
  await postIngest(app.url, tz, { events: [event({ ts: Date.UTC(2026, 9, 1, 20) })] });
  const days = await rows<{ day: string }>(s.db, 'SELECT day FROM user_days');
  t.deepEqual(days.map((d) => d.day), ['2026-10-02']);
  const again = await app.restart();
  t.teardown(() => again.stop());
  t.is(again.running.services.settings().timezone, 'Asia/Tokyo', 'kept across a restart');
});

test('retention: raw events past it are deleted, rollups stay, and old resends are not stored again', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const s = app.running.services;
  await app.createUser('ret');
  const ret = await app.createToken('ret');
  const old = event({ id: 'old-1', ts: Date.now() - 40 * 86_400_000, input_tokens: 7, output_tokens: 0 });
  t.deepEqual((await postIngest(app.url, ret, { events: [old, event({ id: 'new-1' })] })).json, { accepted: 2, duplicates: 0 });
  await saveSettings(s.db, s.cfg, { retention_days: 30 }, admin);
  await s.refreshSettings();
  t.is(await pruneRawEvents(s.db, 30), 1);
  // The old event again: its id is gone, so it is refused as a duplicate instead of counted twice.
  t.deepEqual((await postIngest(app.url, ret, { events: [old] })).json, { accepted: 0, duplicates: 1 });
  const stats = await app.stats('ret');
  t.is(stats.events, 2, 'rollups keep both events');
  t.is(stats.input_tokens, 7 + 100);
});
