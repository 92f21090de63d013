// The server's secret key and what it protects. Agent tokens must be recoverable (the
// server needs the token itself to check an HMAC), so they are encrypted, never hashed:
// AES-256-GCM under a key derived from server.secret_key.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';

const TOKEN_PREFIX = 'tbk_';

/** server.secret_key when configured, else the one generated on first start in the data dir. */
export function loadSecretKey(cfg: Config): string {
  if (cfg.server.secret_key) return cfg.server.secret_key;
  const file = join(cfg.server.data_dir, 'secret_key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 32) return key;
    throw new Error(`server.secret_key: ${file} holds a key shorter than 32 characters; restore it from a backup (tokens cannot be read without it)`);
  }
  mkdirSync(cfg.server.data_dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

export class Sealer {
  private readonly key: Buffer;
  private readonly lookupKey: Buffer;
  private readonly opened = new Map<string, string>();

  constructor(secretKey: string, purpose = 'agent-token') {
    this.key = Buffer.from(hkdfSync('sha256', secretKey, 'tokenboard', purpose, 32));
    this.lookupKey = Buffer.from(hkdfSync('sha256', secretKey, 'tokenboard', `${purpose}-lookup`, 32));
  }

  /** A keyed hash to find a value by (bearer tokens); useless without the secret key. */
  lookupHash(plain: string): string {
    return createHmac('sha256', this.lookupKey).update(plain).digest('hex');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Decrypts a sealed value; null when it was sealed under another key or tampered with. */
  open(sealed: string): string | null {
    const hit = this.opened.get(sealed);
    if (hit !== undefined) return hit;
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || body === undefined) return null;
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
      if (this.opened.size > 10_000) this.opened.clear();
      this.opened.set(sealed, plain);
      return plain;
    } catch {
      return null;
    }
  }
}

/** A new agent token: 32 random bytes, URL-safe. */
export function newAgentToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Two secrets compared in constant time (no early exit that times out where they differ). */
export function sameSecret(a: string, b: string): boolean {
  const x = createHmac('sha256', 'compare').update(a).digest();
  const y = createHmac('sha256', 'compare').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}
