// A webhook receiver's check of `x-tokenboard-signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256(secret, t + "." + raw body)>`, written apart from src/alerts/payload.ts so the
// tests hold the server's signing to the contract, not to itself. (README "Budgets and
// alerts" prints a receiver's version; test/readme-signature.test.ts runs that one.)
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Received } from './receiver.ts';

export function verify(header: string, rawBody: string, secret: string, toleranceS = 300): boolean {
  const { t, v1 } = Object.fromEntries(header.split(',').map((p) => p.split('='))) as { t: string; v1?: string };
  const mac = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return Math.abs(Date.now() / 1000 - Number(t)) < toleranceS && mac.length === v1?.length && timingSafeEqual(Buffer.from(mac), Buffer.from(v1));
}

/** Whether a request a loopback receiver got is signed with `secret`, just now. */
export function signedWith(r: Received, secret: string): boolean {
  return verify(String(r.headers['x-tokenboard-signature']), r.body, secret);
}
