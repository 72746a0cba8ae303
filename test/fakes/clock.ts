import type { Clock } from "../../src/engine/ports.js";

/** An AbortError like the ones Node's timers/promises raise, so `isAbort` recognises it. */
export function abortError(signal?: AbortSignal): Error {
  const err = new Error("The operation was aborted", { cause: signal?.reason });
  err.name = "AbortError";
  return err;
}

/**
 * Virtual time: `sleep` advances the clock at once and only yields to the event loop, so a 30 s
 * health timeout or a 10 s drain costs microseconds in a test.
 */
export class FakeClock implements Clock {
  private t: number;
  /** Every sleep asked for, in ms (tests assert on waits without waiting). */
  readonly sleeps: number[] = [];

  constructor(start = Date.parse("2025-01-01T12:00:00.000Z")) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
    // Yield a macrotask so other fake activity (events, aborts from handlers) can interleave.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw abortError(signal);
  }
}
