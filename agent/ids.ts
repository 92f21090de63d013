// Event ids (the server's dedup key) and session hashes. Ids are derived from the tools'
// own ids so that a re-read, a retry or a resend counts once. They are plain SHA-256
// digests, not salted: the same model response must get the same id after a reinstall
// or from the proxy and a log alike. Session hashes are salted (per install), so a raw
// local session id can never be recovered or matched across machines.
import { createHash, createHmac, randomBytes } from 'node:crypto';

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 40);
}

/**
 * One Anthropic message, whoever saw it: the proxy (response id) and the Claude Code log
 * (message.id) produce the same id, so a message seen by both counts once.
 */
export function anthropicMessageId(messageId: string): string {
  return `am-${digest(`anthropic-message:${messageId}`)}`;
}

/** Any other id, namespaced by who produced it (`cx`, `gm`, `oc`, `px`, `cc`). */
export function eventId(prefix: string, ...parts: (string | number)[]): string {
  return `${prefix}-${digest(parts.join('\u0000'))}`;
}

export function randomEventId(prefix: string): string {
  return `${prefix}-${randomBytes(16).toString('hex')}`;
}

/**
 * A stand-in for a raw session id in the agent's own state files and in event ids: the
 * state dir keeps no raw ids either (DESIGN "Privacy rule"), yet ids stay the same across
 * installs so the server's dedup still works.
 */
export function sessionKey(rawId: string): string {
  return digest(`session:${rawId}`);
}

// A log repeats its session id on every line: recent hashes are kept so a scan computes
// each one once (bounded, and forgotten when another salt is used, as tests do).
const hashes = new Map<string, string>();
let hashesSalt: Buffer | null = null;

/** HMAC of a raw session id with the per-install salt. */
export function sessionHash(salt: Buffer, rawId: string): string {
  if (salt !== hashesSalt) {
    hashes.clear();
    hashesSalt = salt;
  }
  let h = hashes.get(rawId);
  if (h === undefined) {
    h = createHmac('sha256', salt).update(rawId).digest('hex').slice(0, 32);
    if (hashes.size >= 256) hashes.clear();
    hashes.set(rawId, h);
  }
  return h;
}
