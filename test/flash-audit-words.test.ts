// Two pure pieces of the pages: the sealed one-shot flash (shown once, never readable from
// the cookie, gone after its time or when tampered with) and the audit log's plain words.
import test from 'ava';
import type { Context } from 'koa';
import type { Services } from '../src/services.ts';
import { FLASH_TTL_MS, setFlash, takeFlash } from '../src/web/flash.ts';
import { auditSentence } from '../src/web/presenters/admin/audit-words.ts';

const services = { cfg: { server: { secret_key: 'k'.repeat(40), data_dir: '/nonexistent' } } } as unknown as Services;
const ctxWith = (session: Record<string, unknown> = {}) => ({ session } as unknown as Context);

test('a flash is sealed, taken once, and only by the page it is for', (t) => {
  const ctx = ctxWith();
  setFlash(ctx, services, 'settings.token', { token: 'tbk_secret_value' }, 1_000);
  const stored = JSON.stringify(ctx.session);
  t.false(stored.includes('tbk_secret_value'), 'the session holds it sealed');
  t.is(takeFlash(ctx, services, 'admin.handover', 1_001), null, 'another page leaves it');
  t.deepEqual(takeFlash(ctx, services, 'settings.token', 1_002), { token: 'tbk_secret_value' });
  t.is(takeFlash(ctx, services, 'settings.token', 1_003), null, 'shown once');
});

test('an expired or tampered flash is dropped', (t) => {
  const old = ctxWith();
  setFlash(old, services, 'k', 'v', 0);
  t.is(takeFlash(old, services, 'k', FLASH_TTL_MS + 1), null);
  t.false('flash' in (old.session as object), 'and removed');
  const bad = ctxWith();
  setFlash(bad, services, 'k', 'v', 0);
  const s = bad.session as unknown as Record<string, string>;
  // Change the first character of the GCM tag (it carries six whole bits): the seal breaks.
  const parts = s.flash.split('.');
  parts[2] = (parts[2][0] === 'A' ? 'B' : 'A') + parts[2].slice(1);
  s.flash = parts.join('.');
  t.is(takeFlash(bad, services, 'k', 1), null);
});

test('audit entries in plain words', (t) => {
  const say = (actor: string, kind: string, target: string | null, details: unknown) => auditSentence({ actor, kind, target, details });
  t.is(say('alice', 'user.login_link', 'bob', {}), 'alice sent bob a sign-in link');
  t.is(say('alice', 'user.add', 'bob', { role: 'manager', github: true }), 'alice added bob as manager (to be claimed at their first GitHub sign-in)');
  t.is(say('cli', 'user.add', 'admin', { role: 'admin', github: false }), 'The server’s CLI added admin as admin');
  t.is(say('config', 'user.role', 'eve', { before: 'member', after: 'admin' }), 'config.toml raised eve’s role from member to admin at sign-in');
  t.is(say('alice', 'user.deactivate', 'bob', { tokens_revoked: 2 }), 'alice deactivated bob and revoked 2 agent tokens');
  t.is(say('bob', 'token.create', 'bob', { name: 'laptop', token_id: 3 }), 'bob created the agent token “laptop”');
  t.is(say('alice', 'token.revoke', 'bob', { token_id: 3, name: 'laptop' }), 'alice revoked the agent token “laptop” of bob');
  t.is(say('cli', 'token.revoke', 'bob', { name: null, count: 1 }), 'The server’s CLI revoked 1 agent token of bob');
  t.is(say('bob', 'user.preferences', 'bob', { before: { hidden: false, public_badge: false }, after: { hidden: true, public_badge: true } }), 'bob hid themselves from the leaderboard and made their badge public');
  t.is(say('alice', 'price.set', 'm-1', { before: { input: 1, output: 2 }, after: { input: 3, output: 4, cache_read: 0.3 } }), 'alice changed the price of m-1 to input $3, output $4, cache read $0.3 per million tokens');
  t.is(say('alice', 'price.import', null, { added: ['a', 'b'], changed: [{}] }), 'alice imported LiteLLM prices: 2 added, 1 changed');
  t.is(say('alice', 'import.assign', 'bob', { kind: 'anthropic_api_key', external_id: 'apikey_1', moved: 1 }), 'alice assigned anthropic api key apikey_1 to bob, moving 1 waiting record');
  t.is(say('alice', 'team.add', 'platform', { name: 'Platform crew' }), 'alice added the team platform (“Platform crew”)');
  t.is(say('cli', 'team.member_add', 'platform', { login: 'bob' }), 'The server’s CLI added bob to the team platform');
  t.is(say('alice', 'team.member_remove', 'platform', { login: 'bob' }), 'alice took bob out of the team platform');
  t.is(say('alice', 'team.remove', 'platform', { members: 1 }), 'alice deleted the team platform (it had 1 member)');
  t.is(say('alice', 'something.new', 'x', {}), 'alice: something.new x', 'an unknown kind still reads');
});
