// Proxy sessions: the wire has no session id, so a session is a run of activity. A new
// random session id starts after 30 idle minutes (DESIGN "Counting rules").
import { randomBytes } from 'node:crypto';

export const SESSION_IDLE_MS = 30 * 60_000;

export class IdleSessions {
  private readonly current = new Map<string, { id: string; last: number }>();

  constructor(private readonly idleMs = SESSION_IDLE_MS) {}

  /** The session for `key` (e.g. the provider) at time `now`, starting a new one after the idle gap. */
  sessionFor(key: string, now: number): string {
    const s = this.current.get(key);
    if (s && now - s.last <= this.idleMs) {
      s.last = Math.max(s.last, now);
      return s.id;
    }
    const id = `s-${randomBytes(16).toString('hex')}`;
    this.current.set(key, { id, last: now });
    return id;
  }
}
