// The generated secret key (no server.secret_key configured): written once, whole, and
// shared by every process that starts on the same data dir, also when they start at once.
import test from 'ava';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNewKey } from '../src/secrets.ts';
import { tempDir } from './helpers/app.ts';

test('a new key is written with mode 0600 and nothing else is left in the data dir', (t) => {
  const dir = tempDir();
  const file = join(dir, 'secret_key');
  const key = writeNewKey(file);
  t.regex(key, /^[0-9a-f]{64}$/);
  t.is(readFileSync(file, 'utf8'), `${key}\n`);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.deepEqual(readdirSync(dir), ['secret_key']);
});

test('the second of two processes starting at once gets the first one\'s key, not an error or a key of its own', (t) => {
  // What the slower process finds: the faster one wrote the file after the slower one looked.
  const dir = tempDir();
  const file = join(dir, 'secret_key');
  const first = 'a'.repeat(64);
  writeFileSync(file, `${first}\n`, { mode: 0o600 });
  t.is(writeNewKey(file), first);
  t.is(readFileSync(file, 'utf8'), `${first}\n`, 'left as it was');
  t.deepEqual(readdirSync(dir), ['secret_key']);
});
