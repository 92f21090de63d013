// A full disk: ingest answers 503 with the code `storage_full` (not a 500), stores nothing
// of the refused batch, and takes the same batch whole once there is room again; the OTLP
// receiver answers the same 503 (its exporters retry a 503, never a 500).
//
// The disk is made full the engine's own way, without root: on SQLite the writer
// connection's max_page_count is set to the pages the file has now (the next page it needs
// fails with SQLITE_FULL, as a full file system does); on PostgreSQL a trigger raises
// disk_full (53100), what the server raises when it cannot extend a file.
// (`npm run drill -- disk-full` fills a real file system.)
import test from 'ava';
import type { Db } from '../src/db/connect.ts';
import { isStorageFull } from '../src/db/dialect.ts';
import { event, postIngest, withApp } from './helpers/app.ts';
import { rows } from './helpers/db.ts';

async function fillStorage(db: Db): Promise<() => Promise<void>> {
  if (db.dialect === 'postgres') {
    await db.sql.run(`CREATE FUNCTION tb_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$`);
    await db.sql.run('CREATE TRIGGER tb_test_disk_full BEFORE INSERT ON usage_events FOR EACH STATEMENT EXECUTE FUNCTION tb_test_disk_full()');
    return async () => {
      await db.sql.run('DROP TRIGGER tb_test_disk_full ON usage_events');
      await db.sql.run('DROP FUNCTION tb_test_disk_full()');
    };
  }
  // max_page_count belongs to a connection: the writer's, which stores every batch.
  const [{ page_count }] = await db.writer.transaction((tx) => tx.all<{ page_count: number }>('PRAGMA page_count'));
  await db.writer.transaction((tx) => tx.run(`PRAGMA max_page_count = ${Number(page_count)}`));
  return async () => { await db.writer.transaction((tx) => tx.run('PRAGMA max_page_count = 1073741823')); };
}

const eventsOf = async (db: Db, userId: number) =>
  Number((await rows<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM usage_events WHERE user_id = ?', [userId]))[0].n);

test('ingest on a full disk: 503 storage_full, nothing of the batch stored, the same batch taken whole later', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const { db } = app.running.services;
  await app.createUser('filler');
  const agent = await app.createToken('filler');
  const first = await postIngest(app.url, agent, { events: [event({ id: 'before-1' }), event({ id: 'before-2' })] });
  t.deepEqual(first, { status: 200, json: { accepted: 2, duplicates: 0 } });

  // 500 events with ids and sessions of their own: more than the pages the file has left.
  const batch = { events: Array.from({ length: 500 }, (_, i) => event({ id: `full-${i}-${'x'.repeat(80)}`, session: `session-${i}-${'y'.repeat(80)}`, input_tokens: 7, output_tokens: 3 })) };
  const lift = await fillStorage(db);
  const refused = await postIngest(app.url, agent, batch);
  t.is(refused.status, 503, JSON.stringify(refused.json));
  t.is(refused.json.code, 'storage_full');
  t.regex(refused.json.error, /storage is full: nothing of this batch was stored; send it again later/);
  t.is(await eventsOf(db, agent.user_id), 2, 'none of the 500 refused events is stored');
  const during = await app.stats('filler');
  t.is(during.events, 2);
  t.is(during.input_tokens, 2 * 100, 'the read model did not move either: 2 events × 100 input tokens');
  t.true(app.logs.some((l) => / error ingest refused: the database storage is full/.test(l)), 'the operator reads why in the log');
  t.false(app.logs.some((l) => /request failed/.test(l)), 'no 500 anywhere');

  await lift();
  const again = await postIngest(app.url, agent, batch);
  t.deepEqual(again, { status: 200, json: { accepted: 500, duplicates: 0 } });
  const after = await app.stats('filler');
  t.is(after.events, 2 + 500);
  t.is(after.input_tokens, 2 * 100 + 500 * 7);
  t.is(after.output_tokens, 2 * 50 + 500 * 3);
});

test('the OTLP receiver on a full disk answers 503 storage_full as JSON', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  await app.createUser('otel');
  const { token } = await app.createToken('otel');
  // 500 requests: more than the pages the SQLite file has left.
  const record = (i: number) => ({
    timeUnixNano: `${Date.now() - 60_000}000000`, body: { stringValue: 'claude_code.api_request' },
    attributes: [{ key: 'event.name', value: { stringValue: 'api_request' } }, { key: 'model', value: { stringValue: 'claude-haiku-4-5' } },
      { key: 'input_tokens', value: { intValue: '5' } }, { key: 'output_tokens', value: { intValue: '6' } }, { key: 'request_id', value: { stringValue: `req_full_${i}` } }],
  });
  const body = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] }, scopeLogs: [{ logRecords: Array.from({ length: 500 }, (_, i) => record(i)) }] }] });
  const lift = await fillStorage(app.running.services.db);
  const res = await fetch(`${app.url}/otlp/${token}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  t.is(res.status, 503);
  t.deepEqual(await res.json(), { error: "the server's storage is full; retry later (an admin must free disk space)", code: 'storage_full' });
  t.is((await app.stats('otel')).events, 0);
  await lift();
  const ok = await fetch(`${app.url}/otlp/${token}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  t.is(ok.status, 200);
  const st = await app.stats('otel');
  t.deepEqual([st.events, st.input_tokens, st.output_tokens], [500, 500 * 5, 500 * 6]);
});

test('isStorageFull: SQLite, PostgreSQL and file-system codes; nothing else', (t) => {
  t.true(isStorageFull(Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' })));
  t.true(isStorageFull({ code: '53100', message: 'could not extend file' }));
  t.true(isStorageFull(Object.assign(new Error('write failed'), { code: 'ENOSPC' })));
  t.false(isStorageFull(Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT' })));
  t.false(isStorageFull(new Error('disk is full, says the message only')));
  t.false(isStorageFull(undefined));
});
