/**
 * Waiting on Swarm: it converges in the background (the API answers at once, tasks follow), so
 * every wait here re-reads until a check says done, bounded by a deadline and an abort signal.
 */

/** An operation was cancelled by its caller; named AbortError like the engine's other aborts. */
export class SwarmAbortedError extends Error {
  override readonly name = "AbortError";
  constructor(what: string, state: string, options?: { cause?: unknown }) {
    super(`Stopped ${what}: the operation was cancelled. ${state} What to do: run \`bluegreen status\` to see the stack, then run the operation again.`, options);
  }
}

export type Check<T> = { done: true; value: T } | { done: false; pending: string };

/**
 * Runs `check` every `intervalMs` until it is done; past `timeoutMs` rejects with `timedOut(last
 * pending)`, on abort with SwarmAbortedError. A check that throws is retried (the manager may be
 * electing a leader) and its error is the pending text; the last one counts at the deadline.
 */
export async function pollUntil<T>(
  check: () => Promise<Check<T>>,
  opts: { intervalMs: number; timeoutMs: number; signal?: AbortSignal | undefined; what: string; state: string; timedOut: (pending: string) => Error },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let pending = "nothing read yet";
  for (;;) {
    if (opts.signal?.aborted) throw new SwarmAbortedError(opts.what, opts.state, { cause: opts.signal.reason });
    try {
      const result = await check();
      if (result.done) return result.value;
      pending = result.pending;
    } catch (err) {
      if (err instanceof FatalCheck) throw err.error;
      pending = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) throw opts.timedOut(pending);
    await sleep(Math.min(opts.intervalMs, Math.max(0, deadline - Date.now())), opts.signal);
  }
}

/** Thrown inside a check: ends the wait with `error` at once (a task failed: no point waiting on). */
export class FatalCheck extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
