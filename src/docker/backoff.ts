/** Capped exponential backoff: base, 2×base, 4×base … never more than `maxMs`. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const EVENT_STREAM_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 5_000 };

/** Delay before reconnect attempt number `attempt` (1-based). */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}
