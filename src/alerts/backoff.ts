// When a delivery is tried again (pure). Network errors, 5xx and 429 are worth another try:
// after `base`, then twice as long each time (at most an hour apart, longer if the receiver
// asked with retry-after), for up to a day after the event. Any other answer ends it:
// 2xx delivered; 3xx and other 4xx failed (the receiver said no, or the URL is wrong, and
// asking again would only hammer it).
export const RETRY_WINDOW_MS = 24 * 3_600_000;
export const MAX_DELAY_MS = 3_600_000;
/** Attempts in a row that failed before a destination is shown (and announced) as failing. */
export const FAILING_AFTER = 5;

export type Outcome = 'delivered' | 'retry' | 'failed';

/** What an answer means; `null` is no answer at all (refused, reset, timed out). */
export function outcomeOf(status: number | null): Outcome {
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 429 || status >= 500) return 'retry';
  return 'failed';
}

/**
 * The time of the next attempt after `attempts` failed ones (1 = the first just failed), or
 * null when it would fall outside the retry window that started at `firstAt`.
 */
export function nextAttemptAt(attempts: number, firstAt: number, now: number, baseMs: number, retryAfterMs: number | null = null): number | null {
  const backoff = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempts - 1));
  const at = now + Math.max(backoff, retryAfterMs ?? 0);
  return at > firstAt + RETRY_WINDOW_MS ? null : at;
}

/** A retry-after header (seconds or an HTTP date) in milliseconds from now, or null. */
export function retryAfterMs(header: string | undefined, now: number): number | null {
  if (!header) return null;
  const s = Number(header.trim());
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
