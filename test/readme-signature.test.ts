// The receiver's signature check printed in README "Budgets and alerts" is run as printed:
// the code block is taken from README.md, written to a module and imported, then given a
// real signed delivery (a test alert a server sent to a loopback receiver). It must accept
// that delivery and refuse a changed body, another secret, an old timestamp and junk.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../src/paths.ts';
import { addDestination, testDestination } from '../src/alerts/destinations.ts';
import { signature } from '../src/alerts/payload.ts';
import { CLI_ACTOR } from '../src/admin/audit.ts';
import { tempDir, withApp } from './helpers/app.ts';
import { receiver } from './helpers/receiver.ts';

type Verify = (secret: string, header: string | undefined, rawBody: string | Buffer) => boolean;

/** The first ```js block of the README section. */
function readmeSnippet(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^## Budgets and alerts\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "## Budgets and alerts" section');
  const code = /^```js\n([\s\S]*?)^```$/m.exec(section)?.[1];
  if (!code) throw new Error('the section has no ```js block');
  return code;
}

async function loadVerify(code: string): Promise<Verify> {
  const file = join(tempDir('tb-readme-'), 'verify.mjs');
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)).verify as Verify;
}

test('the README\'s five lines accept a real signed delivery and refuse a tampered body, another secret, a replay and junk', async (t) => {
  const code = readmeSnippet();
  // "five lines of Node": statements, not counting comments or the closing brace.
  t.is(code.split('\n').filter((l) => l.trim() && l.trim() !== '}' && !l.trim().startsWith('//')).length, 5, code);
  const verify = await loadVerify(code);

  const hook = await receiver();
  t.teardown(() => hook.close());
  const app = await withApp({ 'alerts.check_seconds': 300 });
  t.teardown(() => app.stop());
  const secret = 'whsec_readme_check_0123456789';
  const { destination } = await addDestination(app.running.services, { kind: 'webhook', url: `${hook.url}/in`, secret, events: 'budget' }, CLI_ACTOR);
  t.like(await testDestination(app.running.services, destination.id, CLI_ACTOR), { outcome: 'delivered' });
  t.is(hook.requests.length, 1);
  const { body, headers } = hook.requests[0];
  const header = String(headers['x-tokenboard-signature']);
  t.regex(header, /^t=\d+,v1=[0-9a-f]{64}$/);

  t.true(verify(secret, header, body), 'the delivery as received');
  t.true(verify(secret, header, Buffer.from(body)), 'the raw body as a Buffer');
  t.false(verify(secret, header, body.replace('This destination works.', 'This destination works!')), 'a changed body');
  t.false(verify(secret, header, JSON.stringify(JSON.parse(body), null, 2)), 'the same JSON re-serialised');
  t.false(verify('whsec_someone_elses_secret_00', header, body), 'another secret');
  // Signed by the server's own code: now accepted, an hour ago refused (a replay).
  const now = Math.floor(Date.now() / 1000);
  t.true(verify(secret, signature(secret, body, now), body));
  t.false(verify(secret, signature(secret, body, now - 3600), body), 'an hour-old signature');
  t.false(verify(secret, header.replace(/^t=\d+/, `t=${now - 3600}`), body), 'the timestamp changed');
  for (const junk of [undefined, '', 'garbage', 't=,v1=', `t=${now}`, `t=${now},v1=zz`, `t=${now},v1=${'é'.repeat(64)}`, header.slice(0, -2)]) {
    t.false(verify(secret, junk, body), `header ${JSON.stringify(junk)}`);
  }
});
