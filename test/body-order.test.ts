// Finding 2: bodies are read only after the route, its access rule and the session are
// known, within the route's cap. Each request here declares a large body and sends only
// its first kilobyte: the answer arrives while the rest is still unsent, so the server
// neither waited for it nor read it.
import test from 'ava';
import { connect } from 'node:net';
import { withApp, type TestApp } from './helpers/app.ts';

const BIG = 22 * 1024 * 1024;

/** Sends the headers and the first KB of a body declared `length` long; resolves with the status line. */
function firstAnswer(app: TestApp, path: string, headers: Record<string, string>, length = BIG): Promise<{ status: number; head: string }> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let got = '';
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      got += chunk.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1]), head: got.slice(0, end) });
    });
    const lines = [`POST ${path} HTTP/1.1`, `Host: ${url.host}`, `Content-Length: ${length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    socket.write(Buffer.alloc(1024, 'a'));
  });
}

const MULTIPART = { 'Content-Type': 'multipart/form-data; boundary=----x' };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

test('anonymous multipart to /logout and /login/link: 415 at once, the body never read', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  for (const path of ['/logout', '/login/link']) {
    const r = await firstAnswer(app, path, MULTIPART);
    t.is(r.status, 415, path);
    t.regex(r.head, /connection: close/i);
  }
});

test('a form declared larger than the cap: 413 before a byte is read', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  for (const path of ['/logout', '/login/link']) t.is((await firstAnswer(app, path, FORM)).status, 413, path);
  // Within the cap the same anonymous form is read, and refused for its missing CSRF token.
  const small = await fetch(`${app.url}/login/link`, { method: 'POST', headers: FORM, body: 'code=x', redirect: 'manual' });
  t.is(small.status, 403);
});

test('the price upload: refused before reading for anyone but an admin, capped for admins', async (t) => {
  const app = await withApp();
  t.teardown(() => app.stop());
  const member = await app.signIn('mia');
  const admin = await app.signIn('ada', 'admin');
  const anonymous = await firstAnswer(app, '/admin/prices/import', MULTIPART);
  t.is(anonymous.status, 303, 'anonymous: sent to sign in');
  t.regex(anonymous.head, /location: \/login/i);
  t.is((await firstAnswer(app, '/admin/prices/import', { ...MULTIPART, Cookie: member.cookie, 'X-CSRF-Token': member.csrf })).status, 403, 'a member: forbidden');
  t.is((await firstAnswer(app, '/admin/prices/import', { ...MULTIPART, Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf })).status, 413, 'an admin: over the 21 MB cap');
  // An admin's upload without a declared length is cut off at the cap as it streams.
  const chunked = await fetch(`${app.url}/admin/prices/import`, {
    method: 'POST', redirect: 'manual', duplex: 'half',
    headers: { ...MULTIPART, cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    body: new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('------x\r\nContent-Disposition: form-data; name="file"; filename="p.json"\r\nContent-Type: application/json\r\n\r\n'));
        for (let i = 0; i < 23; i++) c.enqueue(new Uint8Array(1024 * 1024).fill(32));
        c.close();
      },
    }),
  } as RequestInit).catch((err: unknown) => err as Error);
  t.true(chunked instanceof Error || chunked.status === 413, 'refused at the cap (or the connection closed once the answer was out)');
});
