// Session hashes and cleaned names are remembered between calls (a log repeats them on
// every line): the remembered answers must be the same as fresh ones, whatever the order.
import test from 'ava';
import { createHmac } from 'node:crypto';
import { sessionHash } from '../ids.ts';
import { cleanName } from '../collectors/context.ts';

const hmac = (salt: Buffer, id: string) => createHmac('sha256', salt).update(id).digest('hex').slice(0, 32);

test('sessionHash: the salted HMAC of the raw id, for any mix of ids and salts', (t) => {
  const a = Buffer.alloc(32, 1);
  const b = Buffer.alloc(32, 2);
  const calls: Array<[Buffer, string]> = [[a, 's1'], [a, 's1'], [a, 's2'], [b, 's1'], [b, 's1'], [a, 's1'], [b, 's2'], [a, 's2']];
  for (const [salt, id] of calls) t.is(sessionHash(salt, id), hmac(salt, id));
  t.not(sessionHash(a, 's1'), sessionHash(b, 's1'));
  // Many distinct ids (past the remembered window), then an early one again.
  for (let i = 0; i < 600; i++) t.is(sessionHash(a, `id-${i}`), hmac(a, `id-${i}`));
  t.is(sessionHash(a, 'id-3'), hmac(a, 'id-3'));
});

test('cleanName: control characters out, at most 128 characters, the fallback for nothing left', (t) => {
  for (let round = 0; round < 2; round++) { // the second round answers from memory
    t.is(cleanName('claude-sonnet-4-5\u0000\n'), 'claude-sonnet-4-5');
    t.is(cleanName('  gpt-5  '), 'gpt-5');
    t.is(cleanName('\u0007\u0008'), 'unknown');
    t.is(cleanName('\u0007', ''), '');
    t.is(cleanName(42), 'unknown');
    t.is(cleanName('é'.repeat(200)), 'é'.repeat(128));
    t.is(cleanName('m'.repeat(300)), 'm'.repeat(128));
  }
  // The same text with another fallback: the fallback is not remembered with it.
  t.is(cleanName('\u0001', 'x'), 'x');
  t.is(cleanName('\u0001'), 'unknown');
});
